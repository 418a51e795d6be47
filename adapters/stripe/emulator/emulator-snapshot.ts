import type express from 'express';
import type Stripe from 'stripe';
import { catchUpClock, createSnapshotWriter, readSnapshot } from '../../local-state/snapshot-file.js';
import type { AccountKind, AccountRegistry, EmulatedAccount } from './account-registry.js';
import { type EmulatorContext, EmulatorStore, type IdempotencyEntry } from './emulator-store.js';
import type { KeyPermissions } from './restricted-keys.js';

/**
 * The emulator's state as its state file keeps it (`stateFile`, README "State"): every account with
 * its key and every object of its store, and the restricted keys. Bump the version whenever what is
 * kept changes shape: an older file is then refused by name rather than half read.
 */
export const EMULATOR_STATE_SERVICE = 'stripe-emulator';
export const EMULATOR_STATE_VERSION = 1;

interface SavedAccount {
  readonly kind: AccountKind;
  readonly object: Stripe.Account;
  readonly secretKey: string | null;
  readonly platformId: string | null;
  /** The store's maps (as entry lists) and sets (as value lists) by field name: plain JSON throughout. */
  readonly store: Record<string, unknown[]>;
}

export interface EmulatorState {
  readonly accounts: readonly SavedAccount[];
  readonly restrictedKeys: readonly { key: string; accountId: string; permissions: KeyPermissions }[];
}

/**
 * The registry's state, by reference: the snapshot writer encodes it at once. An idempotency key
 * whose first request was still running is left out: after a restart it would answer 409 for a day.
 */
export function takeEmulatorState(registry: AccountRegistry): EmulatorState {
  return {
    accounts: registry.all().map((account) => ({
      kind: account.kind,
      object: account.object,
      secretKey: account.secretKey,
      platformId: account.platformId,
      store: savedStore(account.ctx.store),
    })),
    restrictedKeys: registry.restrictedKeys(),
  };
}

/** Puts the saved accounts back into an empty registry; returns the platform. Its key is today's `apiKey`. */
export function restoreEmulatorState(
  registry: AccountRegistry,
  state: EmulatorState,
  apiKey: string,
): EmulatedAccount {
  for (const saved of state.accounts) {
    registry.restore({
      kind: saved.kind,
      object: saved.object,
      secretKey: saved.kind === 'platform' ? apiKey : saved.secretKey,
      platformId: saved.platformId,
      store: restoredStore(saved.store),
    });
  }
  for (const { key, accountId, permissions } of state.restrictedKeys) {
    const account = registry.byId(accountId);
    if (account) registry.restoreRestrictedKey(key, account, permissions);
  }
  return registry.platform;
}

function savedStore(store: EmulatorStore): Record<string, unknown[]> {
  const saved: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(store)) {
    if (value instanceof Map)
      saved[name] =
        name === 'idempotency'
          ? [...value].filter(([, entry]) => (entry as IdempotencyEntry).response !== null)
          : [...value];
    else if (value instanceof Set) saved[name] = [...value];
  }
  return saved;
}

function restoredStore(saved: Record<string, unknown[]>): EmulatorStore {
  const store = new EmulatorStore();
  const fields = store as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(saved)) {
    const target = fields[name];
    // Invoices and their payments go in the way new ones do, so the store's lookups index them again.
    if (name === 'invoices' && Array.isArray(value))
      for (const [, invoice] of value as [string, Stripe.Invoice][]) store.addInvoice(invoice);
    else if (name === 'invoicePayments' && Array.isArray(value))
      for (const [, payment] of value as [string, Stripe.InvoicePayment][]) store.addInvoicePayment(payment);
    else if (target instanceof Map && Array.isArray(value))
      for (const [k, v] of value as [unknown, unknown][]) target.set(k, v);
    else if (target instanceof Set && Array.isArray(value)) for (const v of value) target.add(v);
    else
      throw new Error(`stripe-emulator: the state file has a store field "${name}" this build does not know`);
  }
  return store;
}

/** The emulator's state file: what `createStripeEmulator` reads at creation and writes after changes. */
export interface EmulatorStateFile {
  /** The saved accounts put back (and the clock caught up), returning the platform; null when there is no file yet. */
  restore(): EmulatedAccount | null;
  /** Whether any webhook delivery is due at `now` (a delivery run then changes the state). */
  deliveriesDue(now: number): boolean;
  /** Express middleware: every request that may write (not GET or HEAD) marks the state changed once answered. */
  readonly afterWrites: express.RequestHandler;
  changed(): void;
  flush(): void;
}

export function emulatorStateFile(
  path: string,
  registry: AccountRegistry,
  shared: Pick<EmulatorContext, 'clock' | 'settings'>,
): EmulatorStateFile {
  // The store holds Stripe's JSON shapes only (times are Unix seconds): written as plain JSON.
  const expected = {
    service: EMULATOR_STATE_SERVICE,
    version: EMULATOR_STATE_VERSION,
    format: 'json' as const,
  };
  const writer = createSnapshotWriter({
    path,
    ...expected,
    clock: shared.clock,
    take: () => takeEmulatorState(registry),
    onError: (error) => shared.settings.log(`stripe-emulator: could not write ${path}: ${String(error)}`),
  });
  return {
    restore() {
      const saved = readSnapshot<EmulatorState>(path, expected);
      if (!saved) return null;
      catchUpClock(shared.clock, saved.clockAt);
      return restoreEmulatorState(registry, saved.state, shared.settings.apiKey);
    },
    deliveriesDue(now) {
      for (const account of registry.all())
        for (const state of account.ctx.store.events.values())
          for (const delivery of state.deliveries)
            if (!delivery.delivered && delivery.nextAttemptAt !== null && delivery.nextAttemptAt <= now)
              return true;
      return false;
    },
    afterWrites(req, res, next) {
      if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', writer.changed);
      next();
    },
    changed: writer.changed,
    flush: writer.flush,
  };
}
