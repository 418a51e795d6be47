import { OffsetClock } from '../../../plugin/core/clock.js';
import { createFlexChargeSandbox, type FlexChargeSandbox } from './create-flexcharge-sandbox.js';
import { DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY } from './sandbox-credentials.js';
import { type FlexChargeSandboxOptions, SANDBOX_DEFAULTS } from './sandbox-options.js';

/** Port `flexcharge-mit sandbox` listens on unless told otherwise. */
export const DEFAULT_SANDBOX_PORT = 7070;

export interface StartedFlexChargeSandbox {
  readonly sandbox: FlexChargeSandbox;
  /** e.g. `http://127.0.0.1:7070/v1/`. */
  readonly baseUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The standalone sandbox behind `flexcharge-mit sandbox`: an `OffsetClock` (real time that
 * `POST /_sandbox/clock/advance` can jump forward), the demo credential, and a banner with everything
 * a newcomer needs to point the plugin at it.
 */
export async function startFlexChargeSandbox(
  opts: Partial<FlexChargeSandboxOptions> & { port?: number; host?: string } = {},
): Promise<StartedFlexChargeSandbox> {
  const { port = DEFAULT_SANDBOX_PORT, host = '127.0.0.1', ...rest } = opts;
  const log = rest.log ?? ((line: string) => console.log(`[flexcharge-sandbox] ${line}`));
  const sandbox = createFlexChargeSandbox({ ...rest, clock: rest.clock ?? new OffsetClock(), log });
  const listener = await sandbox.listen(port, host);
  const credential = rest.credentials?.[0] ?? DEMO_CREDENTIAL;
  const origin = listener.baseUrl.replace(/\/v1\/$/, '');
  for (const line of [
    `FlexCharge sandbox listening: FLEXCHARGE_BASE_URL=${listener.baseUrl}`,
    `  FLEXCHARGE_APP_KEY=${credential.appKey}`,
    `  FLEXCHARGE_APP_SECRET=${credential.appSecret}`,
    `  FLEXCHARGE_MID=${credential.mid}`,
    ...(credential.siteIds?.[0] ? [`  FLEXCHARGE_SITE_ID=${credential.siteIds[0]}`] : []),
    `  tokenization key (environment): ${credential.tokenizationKey}`,
    rest.webhook
      ? `  webhooks → ${rest.webhook.url}, FLEXCHARGE_WEBHOOK_KEY=${rest.webhook.subscriberKey}`
      : `  webhooks: none yet; PUT ${origin}/_sandbox/webhook {"url":"…","subscriberKey":"${DEMO_SUBSCRIBER_KEY}"}`,
    `  where the contract is silent (README "Behaviour switches"): ${[
      `requiredFields=${rest.requiredFields ?? SANDBOX_DEFAULTS.requiredFields}`,
      `billingFields=${rest.billingFields ?? SANDBOX_DEFAULTS.billingFields}`,
      `cancelCompleted=${rest.cancelCompleted ?? SANDBOX_DEFAULTS.cancelCompleted}`,
      `refundRefunded=${rest.refundRefunded ?? SANDBOX_DEFAULTS.refundRefunded}`,
    ].join(' ')}`,
    `  controls: ${origin}/_sandbox/ (clock/advance, run-due, faults, webhook, orders).`,
    rest.stateFile
      ? `  state: ${rest.stateFile} (kept across restarts; delete it to start fresh)`
      : '  state: in memory only',
  ]) {
    log(line);
  }
  return {
    sandbox,
    baseUrl: listener.baseUrl,
    port: listener.port,
    close: () => sandbox.close(),
  };
}
