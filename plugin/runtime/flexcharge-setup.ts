import {
  createFlexChargeClient,
  type FlexChargeClient,
} from '../../adapters/flexcharge/flexcharge-client.js';
import { resolveFlexChargeBaseUrl } from '../../adapters/flexcharge/flexcharge-environments.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { createFlexChargeWebhookReceiver } from '../../adapters/flexcharge/flexcharge-webhook-receiver.js';
import {
  createFlexChargeSandbox,
  DEMO_CREDENTIAL,
  DEMO_SUBSCRIBER_KEY,
  type FlexChargeSandbox,
} from '../../adapters/flexcharge/sandbox/index.js';
import type { Config } from '../config/config-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DatabaseHandle } from '../storage/database.js';
import { createFlexChargeCallLog } from '../storage/flexcharge-call-log.js';

export interface FlexChargeSetup {
  readonly client: FlexChargeClient | null;
  readonly provider: ReturnType<typeof createFlexChargeRescueProvider> | null;
  readonly webhookReceiver: ReturnType<typeof createFlexChargeWebhookReceiver>;
  readonly mid: string | undefined;
  /** The key FlexCharge signs webhooks with, when known. */
  readonly subscriberKey: string | undefined;
  /** The in-process sandbox when FLEXCHARGE_ENV=local. */
  readonly sandbox: { readonly sandbox: FlexChargeSandbox; readonly baseUrl: string } | null;
  close(): Promise<void>;
}

/**
 * The FlexCharge side of the plugin. `local` starts the bundled sandbox in-process on a free port,
 * signing its webhooks for this plugin's own `/webhooks/flexcharge`; otherwise the hosted API, which
 * is used only once credentials are configured.
 */
export async function setupFlexCharge(
  config: Config,
  deps: { database: DatabaseHandle; clock: Clock; logger: Logger; pluginUrl: string },
): Promise<FlexChargeSetup> {
  const local = config.FLEXCHARGE_ENV === 'local';
  const subscriberKey = config.FLEXCHARGE_WEBHOOK_KEY ?? (local ? DEMO_SUBSCRIBER_KEY : undefined);
  const credentials =
    config.FLEXCHARGE_APP_KEY && config.FLEXCHARGE_APP_SECRET
      ? { appKey: config.FLEXCHARGE_APP_KEY, appSecret: config.FLEXCHARGE_APP_SECRET }
      : local
        ? { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret }
        : null;
  const mid = config.FLEXCHARGE_MID ?? (local ? DEMO_CREDENTIAL.mid : undefined);

  let sandbox: FlexChargeSetup['sandbox'] = null;
  let closeSandbox = async () => {};
  if (local && !config.FLEXCHARGE_BASE_URL) {
    const instance = createFlexChargeSandbox({
      clock: deps.clock,
      credentials: [
        DEMO_CREDENTIAL,
        ...(credentials && credentials.appKey !== DEMO_CREDENTIAL.appKey && mid
          ? [{ ...credentials, mid, tokenizationKey: DEMO_CREDENTIAL.tokenizationKey }]
          : []),
      ],
      webhook: {
        url: `${config.PUBLIC_URL ?? deps.pluginUrl}/webhooks/flexcharge`,
        subscriberKey: subscriberKey!,
      },
      decisionDelayMs: config.SANDBOX_DECISION_DELAY_SECONDS * 1000,
      approvalRate: config.SANDBOX_APPROVAL_RATE,
      log: (line) => deps.logger.info(line, { component: 'flexcharge-sandbox' }),
    });
    const listener = await instance.listen(0, '127.0.0.1');
    sandbox = { sandbox: instance, baseUrl: listener.baseUrl };
    closeSandbox = () => instance.close();
  }

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
  if (!subscriberKey) {
    deps.logger.warn(
      'FLEXCHARGE_WEBHOOK_KEY is not set: FlexCharge webhooks are refused and outcomes arrive by polling only',
    );
  }
  if (!client)
    deps.logger.warn('no FlexCharge credentials: MIT rescue is off until FLEXCHARGE_APP_KEY/SECRET are set');

  return {
    client,
    provider: client
      ? createFlexChargeRescueProvider({ client, environment: config.FLEXCHARGE_ENV, mid })
      : null,
    webhookReceiver: createFlexChargeWebhookReceiver({ subscriberKey, clock: deps.clock }),
    mid,
    subscriberKey,
    sandbox,
    close: closeSandbox,
  };
}
