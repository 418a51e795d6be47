import type express from 'express';
import type Stripe from 'stripe';
import { type EmulatorContext, EmulatorStore } from './emulator-store.js';
import { newId } from './ids.js';
import { buildAccount, SELF_CONTROLLED } from './objects/account.js';
import type { KeyPermissions } from './restricted-keys.js';

export type AccountKind = 'platform' | 'standalone' | 'connected';

/** One Stripe account on the emulator: its public object, its own objects, and its own `/v1` routes. */
export interface EmulatedAccount {
  readonly id: string;
  readonly kind: AccountKind;
  readonly object: Stripe.Account;
  /** The key that authenticates as this account; null for a connected account (platform key + `Stripe-Account`). */
  readonly secretKey: string | null;
  /** The platform a connected account belongs to; null otherwise. */
  readonly platformId: string | null;
  readonly ctx: EmulatorContext;
  /** The `/v1` routes bound to this account's store. */
  readonly routes: express.Router;
}

type SharedContext = Pick<EmulatorContext, 'clock' | 'settings'>;

/**
 * Every account the emulator holds. The first is the platform (the emulator's own API key); standalone
 * accounts are unrelated merchants with keys of their own; connected accounts belong to one of those
 * two and are reached with its key plus `Stripe-Account`. Each has a store of its own, so objects,
 * events and idempotency keys never leak between accounts; the clock and settings are shared.
 */
export class AccountRegistry {
  readonly #accounts = new Map<string, EmulatedAccount>();
  readonly #byKey = new Map<string, EmulatedAccount>();
  /** Restricted keys (`rk_test_…`): what each may do; a key absent here may do everything. */
  readonly #restrictions = new Map<string, KeyPermissions>();

  constructor(
    private readonly shared: SharedContext,
    private readonly routesFor: (ctx: EmulatorContext) => express.Router,
  ) {}

  /** A platform or standalone account: it authenticates with `secretKey` and controls itself. */
  addRoot(kind: 'platform' | 'standalone', secretKey: string, created: number): EmulatedAccount {
    if (this.#byKey.has(secretKey))
      throw new Error('stripe-emulator: two accounts cannot share a secret key');
    const id = newId('account');
    const object = buildAccount({
      id,
      created,
      type: 'standard',
      country: 'US',
      defaultCurrency: 'usd',
      email: null,
      businessType: null,
      businessName: null,
      businessUrl: null,
      capabilities: { card_payments: 'active', transfers: 'active' },
      controller: SELF_CONTROLLED,
      metadata: {},
    });
    const account = this.#add(kind, object, secretKey, null);
    this.#byKey.set(secretKey, account);
    return account;
  }

  /**
   * An account as a snapshot kept it (emulator-snapshot.ts): same id, key, platform and objects.
   * Accounts are restored in creation order, so a connected account's platform is already back.
   */
  restore(saved: {
    kind: AccountKind;
    object: Stripe.Account;
    secretKey: string | null;
    platformId: string | null;
    store: EmulatorStore;
  }): EmulatedAccount {
    const platform = saved.platformId === null ? null : this.#accounts.get(saved.platformId);
    if (platform === undefined)
      throw new Error(`stripe-emulator: account ${saved.object.id} names an unknown platform`);
    if (saved.secretKey !== null && this.#byKey.has(saved.secretKey))
      throw new Error('stripe-emulator: two accounts cannot share a secret key');
    const account = this.#add(saved.kind, saved.object, saved.secretKey, platform, saved.store);
    if (saved.secretKey !== null) this.#byKey.set(saved.secretKey, account);
    return account;
  }

  /** Every restricted key with its account and permissions, for a snapshot. */
  restrictedKeys(): { key: string; accountId: string; permissions: KeyPermissions }[] {
    return [...this.#restrictions].map(([key, permissions]) => ({
      key,
      accountId: this.#byKey.get(key)?.id ?? '',
      permissions: { ...permissions },
    }));
  }

  /** A restricted key as a snapshot kept it. */
  restoreRestrictedKey(key: string, account: EmulatedAccount, permissions: KeyPermissions): void {
    this.#byKey.set(key, account);
    this.#restrictions.set(key, { ...permissions });
  }

  /** A connected account of `platform`, from an account object built by `POST /v1/accounts`. */
  addConnected(platform: EmulatedAccount, object: Stripe.Account): EmulatedAccount {
    return this.#add('connected', object, null, platform);
  }

  get platform(): EmulatedAccount {
    const first = this.#accounts.values().next().value;
    if (!first) throw new Error('stripe-emulator: no platform account');
    return first;
  }

  byId(id: string): EmulatedAccount | undefined {
    return this.#accounts.get(id);
  }

  bySecretKey(key: string): EmulatedAccount | undefined {
    return this.#byKey.get(key);
  }

  /** A new restricted key of a platform or standalone account, allowed only `permissions`. */
  addRestrictedKey(account: EmulatedAccount, permissions: KeyPermissions): string {
    if (account.kind === 'connected')
      throw new Error('stripe-emulator: a connected account has no keys of its own');
    const key = newId('restricted_key');
    this.#byKey.set(key, account);
    this.#restrictions.set(key, { ...permissions });
    return key;
  }

  /** A restricted key's permissions; null for a full secret key. */
  restrictionsOf(key: string): KeyPermissions | null {
    return this.#restrictions.get(key) ?? null;
  }

  /** The accounts connected to `platformId`, oldest first. */
  connectedTo(platformId: string): EmulatedAccount[] {
    return this.all().filter((a) => a.platformId === platformId);
  }

  /** Every account, in creation order. */
  all(): EmulatedAccount[] {
    return [...this.#accounts.values()];
  }

  #add(
    kind: AccountKind,
    object: Stripe.Account,
    secretKey: string | null,
    platform: EmulatedAccount | null,
    store = new EmulatorStore(),
  ): EmulatedAccount {
    const ctx: EmulatorContext = {
      ...this.shared,
      store,
      account: { id: object.id, platform: platform?.ctx ?? null },
    };
    const account: EmulatedAccount = {
      id: object.id,
      kind,
      object,
      secretKey,
      platformId: platform?.id ?? null,
      ctx,
      routes: this.routesFor(ctx),
    };
    this.#accounts.set(account.id, account);
    return account;
  }
}

export function newSecretKey(): string {
  return newId('secret_key');
}
