import {
  FLEXCHARGE_BASE_URLS,
  withTrailingSlash,
} from '../../adapters/flexcharge/flexcharge-environments.js';
import type { Config } from '../config/config-schema.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';

/** Where each FlexCharge environment is reached from this process. */
export type FlexChargeHosts = Readonly<Record<FlexChargeEnvironment, string>>;

/**
 * The API base URL per environment: FLEXCHARGE_SANDBOX_URL / FLEXCHARGE_PRODUCTION_URL when set;
 * else FLEXCHARGE_BASE_URL for the environment FLEXCHARGE_ENV names; else, with FLEXCHARGE_ENV=local,
 * the bundled sandbox for both (nothing local ever reaches FlexCharge itself); else the hosted APIs.
 */
export function flexChargeHosts(config: Config, localBaseUrl: string | undefined): FlexChargeHosts {
  const local = config.FLEXCHARGE_ENV === 'local' ? (config.FLEXCHARGE_BASE_URL ?? localBaseUrl) : undefined;
  const own = (env: FlexChargeEnvironment) =>
    config.FLEXCHARGE_ENV === env ? config.FLEXCHARGE_BASE_URL : undefined;
  return {
    sandbox: withTrailingSlash(
      config.FLEXCHARGE_SANDBOX_URL ?? own('sandbox') ?? local ?? FLEXCHARGE_BASE_URLS.sandbox,
    ),
    production: withTrailingSlash(
      config.FLEXCHARGE_PRODUCTION_URL ?? own('production') ?? local ?? FLEXCHARGE_BASE_URLS.production,
    ),
  };
}
