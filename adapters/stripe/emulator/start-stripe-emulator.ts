import { type Clock, OffsetClock } from '../../../plugin/core/clock.js';
import { createStripeEmulator } from './create-stripe-emulator.js';
import { EMULATED_API_VERSION, type StripeEmulator, type StripeEmulatorOptions } from './emulator-types.js';

export interface StartStripeEmulatorOptions {
  /** Default 12111 (stripe-mock's port, so existing habits carry over). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: an OffsetClock, real time that `/_emulator/clock/advance` can move forward. */
  clock?: Clock;
  apiKey?: string;
  /** See `StripeEmulatorOptions.releaseRetry`. Default `rearm`. */
  releaseRetry?: StripeEmulatorOptions['releaseRetry'];
  /** See `StripeEmulatorOptions.forwardingDestinations`. Default none. */
  forwardingDestinations?: StripeEmulatorOptions['forwardingDestinations'];
  /** See `StripeEmulatorOptions.latencyMs`. Default 0. */
  latencyMs?: number;
  /** See `StripeEmulatorOptions.webhookConcurrency`. Default 1. */
  webhookConcurrency?: number;
  /** Where the banner and emulator notes go. Default: stdout. */
  log?: (line: string) => void;
  /** See `StripeEmulatorOptions.stateFile`. Default: none, in memory only. */
  stateFile?: string;
}

export interface RunningStripeEmulator {
  url: string;
  port: number;
  apiKey: string;
  emulator: StripeEmulator;
  close(): Promise<void>;
}

/** What `flexcharge-mit emulate stripe` runs: a listening emulator plus a banner saying how to use it. */
export async function startStripeEmulator(
  options: StartStripeEmulatorOptions = {},
): Promise<RunningStripeEmulator> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const emulator = createStripeEmulator({
    clock: options.clock ?? new OffsetClock(),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.releaseRetry ? { releaseRetry: options.releaseRetry } : {}),
    ...(options.forwardingDestinations ? { forwardingDestinations: options.forwardingDestinations } : {}),
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    ...(options.webhookConcurrency ? { webhookConcurrency: options.webhookConcurrency } : {}),
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    log,
  });
  const server = await emulator.listen(options.port ?? 12111, host);
  for (const line of [
    `Stripe emulator (API ${EMULATED_API_VERSION}) listening on ${server.url}`,
    `API key: ${emulator.apiKey}`,
    `After a hold is released: ${options.releaseRetry ?? 'rearm'} (STRIPE_EMULATOR_RELEASE_RETRY)`,
    `stripe-node: new Stripe('${emulator.apiKey}', { host: '${host}', port: ${server.port}, protocol: 'http' })`,
    `Move time: curl -X POST ${server.url}/_emulator/clock/advance -H 'content-type: application/json' -d '{"seconds": 2678400}'`,
    `State: ${server.url}/_emulator/state   Test cards: ${server.url}/_emulator/test_cards`,
    `Another merchant (its own key): curl -X POST ${server.url}/_emulator/accounts`,
    `Vault and Forward destinations: ${describeDestinations(options.forwardingDestinations)} (STRIPE_EMULATOR_FORWARDING_DESTINATIONS; add one: POST ${server.url}/_emulator/forwarding/destinations {"url": …})`,
    options.stateFile
      ? `State file: ${options.stateFile} (kept across restarts; delete it to start fresh)`
      : 'State: in memory only',
  ]) {
    log(line);
  }
  return {
    url: server.url,
    port: server.port,
    apiKey: emulator.apiKey,
    emulator,
    close: () => emulator.close(),
  };
}

function describeDestinations(destinations: StripeEmulatorOptions['forwardingDestinations']): string {
  if (destinations === 'any') return 'any URL';
  return destinations?.length ? destinations.join(', ') : 'none';
}
