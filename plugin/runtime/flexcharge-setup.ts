import {
  createFlexChargeClient,
  type FlexChargeClient,
} from '../../adapters/flexcharge/flexcharge-client.js';
import { resolveFlexChargeBaseUrl } from '../../adapters/flexcharge/flexcharge-environments.js';
import type { Config } from '../config/config-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DatabaseHandle } from '../storage/database.js';
import { createFlexChargeCallLog } from '../storage/flexcharge-call-log.js';
import { type FlexChargeHosts, flexChargeHosts } from './flexcharge-hosts.js';
import type { LocalFlexCharge } from './local-flexcharge.js';

export interface FlexChargeSetup {
  /**
   * A client with the credentials of the environment (FLEXCHARGE_*), for local tools such as
   * tokenizing a demo card; rescues use each stored merchant's own clients (the merchant directory).
   */
  readonly client: FlexChargeClient | null;
  /** Where each environment's calls go. */
  readonly hosts: FlexChargeHosts;
  readonly mid: string | undefined;
  /** The key FlexCharge signs webhooks with, when known. */
  readonly subscriberKey: string | undefined;
  /** The in-process sandbox when FLEXCHARGE_ENV=local. */
  readonly sandbox: LocalFlexCharge | null;
  close(): Promise<void>;
}

/**
 * The FlexCharge side of the plugin. `local` starts the bundled sandbox in-process on a free port
 * (loaded only then), with the demo account `withLocalDefaults` filled in; otherwise the hosted API,
 * which is used only once credentials are configured.
 */
export async function setupFlexCharge(
  config: Config,
  deps: {
    database: DatabaseHandle;
    clock: Clock;
    logger: Logger;
    pluginUrl: string;
    /** Where the local sandbox keeps its state; absent: in memory. */
    stateDir?: string | undefined;
  },
): Promise<FlexChargeSetup> {
  const subscriberKey = config.FLEXCHARGE_WEBHOOK_KEY;
  const credentials =
    config.FLEXCHARGE_APP_KEY && config.FLEXCHARGE_APP_SECRET
      ? { appKey: config.FLEXCHARGE_APP_KEY, appSecret: config.FLEXCHARGE_APP_SECRET }
      : null;
  const mid = config.FLEXCHARGE_MID;

  const sandbox =
    config.FLEXCHARGE_ENV === 'local' && !config.FLEXCHARGE_BASE_URL
      ? await (await import('./local-flexcharge.js')).startLocalFlexCharge(config, deps)
      : null;

  const hosts = flexChargeHosts(config, sandbox?.baseUrl);
  const client = credentials
    ? createFlexChargeClient({
        baseUrl: resolveFlexChargeBaseUrl({
          environment: config.FLEXCHARGE_ENV,
          override: config.FLEXCHARGE_BASE_URL,
          localBaseUrl: sandbox?.baseUrl,
        }),
        environment: config.FLEXCHARGE_ENV,
        credentials,
        mid,
        timeoutMs: config.FLEXCHARGE_TIMEOUT_MS,
        maxRetries: config.FLEXCHARGE_MAX_RETRIES,
        clock: deps.clock,
        callLog: createFlexChargeCallLog(deps.database.db),
      })
    : null;
  if (credentials && !subscriberKey) {
    deps.logger.warn(
      'FLEXCHARGE_WEBHOOK_KEY is not set: FlexCharge webhooks are refused and outcomes arrive by polling only',
    );
  }

  return {
    client,
    hosts,
    mid,
    subscriberKey,
    sandbox,
    close: async () => {
      await sandbox?.sandbox.close();
    },
  };
}
