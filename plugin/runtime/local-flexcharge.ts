import { resolve } from 'node:path';
import {
  createFlexChargeSandbox,
  DEMO_CREDENTIAL,
  type FlexChargeSandbox,
} from '../../adapters/flexcharge/sandbox/index.js';
import type { Config } from '../config/config-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { sandboxSwitches } from './local-switches.js';

/** The sandbox's state file in the plugin's local state directory. */
export const FLEXCHARGE_SANDBOX_STATE_FILE = 'flexcharge-sandbox.json';

export interface LocalFlexCharge {
  readonly sandbox: FlexChargeSandbox;
  readonly baseUrl: string;
}

/**
 * The bundled FlexCharge sandbox, in-process on a free port, for FLEXCHARGE_ENV=local. Imported only
 * by `import()` when that mode asks for it, so no other configuration loads sandbox code. It accepts
 * the demo account and, when the merchant configured one, their own credential; it signs its webhooks
 * for this plugin's `/webhooks/flexcharge`.
 */
export async function startLocalFlexCharge(
  config: Config,
  deps: {
    clock: Clock;
    logger: Logger;
    pluginUrl: string;
    /** Where the sandbox keeps its state across restarts; absent: in memory (tests). */
    stateDir?: string | undefined;
  },
): Promise<LocalFlexCharge> {
  const { FLEXCHARGE_APP_KEY: appKey, FLEXCHARGE_APP_SECRET: appSecret, FLEXCHARGE_MID: mid } = config;
  const ownCredential =
    appKey && appSecret && mid && appKey !== DEMO_CREDENTIAL.appKey
      ? [
          {
            appKey,
            appSecret,
            mid,
            tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
            ...(config.FLEXCHARGE_SITE_ID ? { siteIds: [config.FLEXCHARGE_SITE_ID] } : {}),
          },
        ]
      : [];
  if (!config.FLEXCHARGE_WEBHOOK_KEY) throw new Error('the local sandbox needs FLEXCHARGE_WEBHOOK_KEY');
  const sandbox = createFlexChargeSandbox({
    clock: deps.clock,
    credentials: [DEMO_CREDENTIAL, ...ownCredential],
    webhook: {
      url: `${config.PUBLIC_URL ?? deps.pluginUrl}/webhooks/flexcharge`,
      subscriberKey: config.FLEXCHARGE_WEBHOOK_KEY,
    },
    ...sandboxSwitches(config),
    ...(deps.stateDir ? { stateFile: resolve(deps.stateDir, FLEXCHARGE_SANDBOX_STATE_FILE) } : {}),
    log: (line) => deps.logger.info(line, { component: 'flexcharge-sandbox' }),
  });
  const listener = await sandbox.listen(0, '127.0.0.1');
  return { sandbox, baseUrl: listener.baseUrl };
}
