import type express from 'express';
import { AccessTokens } from './access-tokens.js';
import { CardVault } from './card-vault.js';
import { createSandboxApp, type RecordedRequest } from './create-sandbox-app.js';
import { FaultInjector, type SandboxFault } from './fault-injection.js';
import { IdempotencyStore } from './idempotency-store.js';
import { OrderStore } from './order-store.js';
import type { SandboxContext } from './sandbox-context.js';
import {
  assertWebhookTarget,
  type FlexChargeSandboxOptions,
  resolveSandboxOptions,
  type SandboxWebhookTarget,
} from './sandbox-options.js';
import type { SandboxOrder } from './sandbox-order.js';
import { listenSandbox, type SandboxListener } from './sandbox-server.js';
import { sandboxStateFile } from './sandbox-snapshot.js';
import { WebhookDeliveries, type WebhookDeliveryAttempt } from './webhook-deliveries.js';

export { DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY, type SandboxCredential } from './sandbox-credentials.js';
export type { FlexChargeSandboxOptions, SandboxWebhookTarget } from './sandbox-options.js';
export type { SandboxOrder } from './sandbox-order.js';
export type { SandboxListener } from './sandbox-server.js';
export type { WebhookDeliveryAttempt } from './webhook-deliveries.js';

/**
 * A local FlexCharge sandbox. Its state is in memory, and with `stateFile` also in that file, so a
 * restart finds every token, card, order and owed webhook again.
 */
export interface FlexChargeSandbox {
  /** The FlexCharge API under `/v1/...`, the sandbox's controls under `/_sandbox/...`. */
  readonly app: express.Express;
  /** Decides due orders, expires orders past `expiryDateUtc`, delivers and retries webhooks. Safe to call any time. */
  runDue(): Promise<void>;
  /**
   * Sets where webhooks go, or with `undefined` stops delivering (events are held). Without `mid`,
   * the default target, used by every merchant account without one of its own; with `mid`, that
   * account's own target (the portal registers webhooks per merchant account), whose removal falls
   * back to the default. Throws for a MID none of the credentials has.
   */
  setWebhook(target: SandboxWebhookTarget | undefined, options?: { mid?: string }): void;
  /** The next `times` (default 1) requests to `path` get this fault before normal handling. */
  injectFault(fault: SandboxFault): void;
  /** Every access token issued so far answers 401 from now on (to test renewal). */
  revokeTokens(): void;
  /** Orders by `orderSessionKey`, for inspection. */
  readonly orders: ReadonlyMap<string, SandboxOrder>;
  /** Every webhook attempt, in order. */
  readonly deliveries: readonly WebhookDeliveryAttempt[];
  /** Every `/v1` request received, faulted ones included. */
  readonly requests: readonly RecordedRequest[];
  /** Listens (default: a free port on 127.0.0.1) and runs `runDue` every ~500 ms of real time meanwhile. */
  listen(port?: number, host?: string): Promise<SandboxListener>;
  /** Writes the state file now if anything changed since it was last written (no-op without `stateFile`). */
  saveState(): void;
  /** Closes every listener, waits for due work in progress, then writes the state file, if any. */
  close(): Promise<void>;
}

export function createFlexChargeSandbox(opts: FlexChargeSandboxOptions): FlexChargeSandbox {
  const options = resolveSandboxOptions(opts);
  if (opts.webhook) assertWebhookTarget(opts.webhook);
  const { clock } = options;
  const webhooks = new WebhookDeliveries({
    clock,
    fetchImpl: options.fetchImpl,
    log: options.log,
    ...(opts.webhook ? { target: opts.webhook } : {}),
  });
  const orders = new OrderStore(clock, options.decisionDelayMs, (order, event, at) =>
    webhooks.enqueue(order, event, at),
  );
  const ctx: SandboxContext = {
    options,
    tokens: new AccessTokens(clock, options.tokenTtlMs),
    vault: new CardVault(clock),
    orders,
    idempotency: new IdempotencyStore(clock),
    webhooks,
    transmits: new Map(),
  };
  const state = opts.stateFile ? sandboxStateFile(opts.stateFile, ctx) : null;
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const listeners = new Set<SandboxListener>();

  let due: Promise<void> = Promise.resolve();
  const runOnce = async () => {
    const before = orders.moves + webhooks.attempts.length;
    orders.advance(clock.now());
    await webhooks.deliverDue();
    if (orders.moves + webhooks.attempts.length !== before) state?.changed();
  };
  // Runs are chained, never concurrent: a webhook attempt is never made twice by overlapping runs.
  const runDue = (): Promise<void> => {
    due = due.then(runOnce, runOnce);
    return due;
  };
  const setWebhook = (target: SandboxWebhookTarget | undefined, scope: { mid?: string } = {}) => {
    if (target) assertWebhookTarget(target);
    const { mid } = scope;
    state?.changed();
    if (mid === undefined) {
      webhooks.target = target;
      return;
    }
    if (!options.credentials.some((credential) => credential.mid.toLowerCase() === mid.toLowerCase())) {
      throw new RangeError(`no credential of this sandbox has mid ${mid}`);
    }
    webhooks.setMidTarget(mid, target);
  };
  const injectFault = (fault: SandboxFault) => faults.add(fault);

  const app = createSandboxApp(ctx, { runDue, setWebhook, injectFault }, faults, requests, state?.changed);

  return {
    app,
    runDue,
    setWebhook,
    injectFault,
    saveState: () => state?.flush(),
    revokeTokens: () => {
      ctx.tokens.revokeAll();
      state?.changed();
    },
    orders: orders.byKey,
    deliveries: webhooks.attempts,
    requests,
    async listen(port = 0, host = '127.0.0.1') {
      const listener = await listenSandbox(app, { port, host, runDue, log: options.log });
      const close = async () => {
        listeners.delete(wrapped);
        await listener.close();
      };
      const wrapped: SandboxListener = { baseUrl: listener.baseUrl, port: listener.port, close };
      listeners.add(wrapped);
      return wrapped;
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.close()));
      await due.catch(() => undefined);
      state?.flush();
    },
  };
}
