import {
  catchUpClock,
  createSnapshotWriter,
  readSnapshot,
  type SnapshotWriter,
} from '../../local-state/snapshot-file.js';
import type { SavedAccessTokens } from './access-tokens.js';
import type { VaultedCard } from './card-vault.js';
import type { Remembered } from './idempotency-store.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxOrder } from './sandbox-order.js';
import type { SavedWebhookDeliveries } from './webhook-deliveries.js';

/**
 * The sandbox's state as its state file keeps it (`stateFile`, README "State"): orders with their
 * history, the webhook events still owed, idempotency keys within their window, vaulted cards (never
 * a card number), access tokens and transmit ids. Bump the version whenever the shape changes: an
 * older file is then refused by name rather than half read.
 */
export const SANDBOX_STATE_SERVICE = 'flexcharge-sandbox';
export const SANDBOX_STATE_VERSION = 1;

export interface SandboxState {
  readonly orders: Map<string, SandboxOrder>;
  readonly webhooks: SavedWebhookDeliveries;
  readonly idempotency: Map<string, Remembered>;
  readonly vault: Map<string, VaultedCard>;
  readonly tokens: SavedAccessTokens;
  readonly transmits: Map<string, string>;
}

/** The context's state, by reference: the snapshot writer encodes it at once. */
export function takeSandboxState(ctx: SandboxContext): SandboxState {
  return {
    orders: ctx.orders.saveState(),
    webhooks: ctx.webhooks.saveState(),
    idempotency: ctx.idempotency.saveState(),
    vault: ctx.vault.saveState(),
    tokens: ctx.tokens.saveState(),
    transmits: ctx.transmits,
  };
}

/**
 * Reads the state file into a fresh context (its clock caught up with the saved one) and returns
 * the writer that keeps the file current; nothing to read on a first start.
 */
export function sandboxStateFile(path: string, ctx: SandboxContext): SnapshotWriter {
  const expected = { service: SANDBOX_STATE_SERVICE, version: SANDBOX_STATE_VERSION };
  const { clock } = ctx.options;
  const saved = readSnapshot<SandboxState>(path, expected);
  if (saved) {
    catchUpClock(clock, saved.clockAt);
    const { state } = saved;
    ctx.orders.loadState(state.orders);
    ctx.webhooks.loadState(state.webhooks);
    ctx.idempotency.loadState(state.idempotency);
    ctx.vault.loadState(state.vault);
    ctx.tokens.loadState(state.tokens, ctx.options.credentials);
    for (const [key, id] of state.transmits) ctx.transmits.set(key, id);
  }
  return createSnapshotWriter({
    path,
    ...expected,
    clock,
    take: () => takeSandboxState(ctx),
    onError: (error) => ctx.options.log(`could not write ${path}: ${String(error)}`),
  });
}
