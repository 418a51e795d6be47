import type Stripe from 'stripe';
import type { ChargeReport, OriginalAuthentication } from '../../plugin/core/billing-engine.js';
import type { Clock } from '../../plugin/core/clock.js';

/** How long what one load read may serve the next load of the same merchant (default). */
export const DEFAULT_READ_CACHE_TTL_MS = 60_000;

/**
 * An invoice read this recently stands for "now" where a step reads the invoice and writes it at
 * once (the hold's and the release's own read of auto_advance and our metadata): the same moment,
 * not carried from an earlier step.
 */
export const SAME_MOMENT_MS = 2_000;

/** Entries a shelf keeps at most; the oldest go first. A burst's working set, not a catalogue. */
const MAX_ENTRIES = 5_000;

interface Entry<T> {
  readonly value: T;
  /** When it was read, on the plugin's clock and on the process's monotonic clock. */
  readonly at: number;
  readonly realAt: number;
}

/**
 * What Stripe answered, kept for a short time per key. An entry is fresh only while both the plugin's
 * clock (which tests move by weeks) and real time say it is younger than the age asked for.
 * Concurrent loads of the same key share one request.
 */
export class Shelf<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The value read under `key` no longer than `maxAgeMs` ago (default: the TTL), if any. */
  get(key: string, maxAgeMs = this.ttlMs): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const clockAge = this.clock.now().getTime() - entry.at;
    const age = Math.max(clockAge, performance.now() - entry.realAt);
    // A clock set back (tests do) makes the entry's time meaningless: read again.
    if (clockAge < 0 || age >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (age >= maxAgeMs) return undefined;
    return entry.value;
  }

  set(key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: this.clock.now().getTime(), realAt: performance.now() });
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** The fresh value under `key`, else what `load` reads (kept); one load at a time per key. */
  async through(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const loading = load().then((value) => {
      this.set(key, value);
      return value;
    });
    this.#inFlight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.#inFlight.delete(key);
    }
  }
}

/**
 * What one merchant's adapter read from Stripe and may use again within the TTL (0: nothing is
 * kept). Only what describes the past is kept this long: the failed charge, its card, the
 * subscription's history and first payment, the catalogue. What decides money (is the invoice still
 * open, may it be held, written back) is read from Stripe when it is decided; `invoices` serves only
 * a read of the same moment (SAME_MOMENT_MS) and is dropped on every write to the invoice.
 */
export interface StripeReadCache {
  readonly invoices: Shelf<Stripe.Invoice>;
  /**
   * The invoice as Stripe answered the hold (a write), expanded as a renewal load reads it: what the
   * invoice is right after the hold, so the hand-over that follows in the same claim need not read
   * it again (SAME_MOMENT_MS). Dropped on any later write.
   */
  readonly heldInvoices: Shelf<Stripe.Invoice>;
  /** By charge id: a failed attempt never changes. */
  readonly charges: Shelf<Stripe.Charge>;
  /** By id; null: the PaymentMethod is gone. */
  readonly paymentMethods: Shelf<Stripe.PaymentMethod | null>;
  /** By subscription id: every invoice of it (payment number, first payment). */
  readonly subscriptionInvoices: Shelf<readonly Stripe.Invoice[]>;
  /** By subscription, failed invoice and card (stripe-billing.md §3: cached per subscription). */
  readonly originalAuthentications: Shelf<OriginalAuthentication | null>;
  /** By id, shared by every rescue of the merchant (a burst renews the same plans). */
  readonly prices: Shelf<Stripe.Price | null>;
  readonly products: Shelf<Stripe.Product | null>;
  /** By charge id: the failed renewal charge as /transmit reports it, built when the renewal is loaded. */
  readonly chargeReports: Shelf<ChargeReport>;
  /** After any write to the invoice: what was read of it before no longer stands for it. */
  forgetInvoice(invoiceId: string): void;
}

export function createStripeReadCache(clock: Clock, ttlMs = DEFAULT_READ_CACHE_TTL_MS): StripeReadCache {
  const make = <T>() => new Shelf<T>(clock, ttlMs);
  const invoices = make<Stripe.Invoice>();
  const heldInvoices = make<Stripe.Invoice>();
  return {
    invoices,
    heldInvoices,
    charges: make(),
    paymentMethods: make(),
    subscriptionInvoices: make(),
    originalAuthentications: make(),
    prices: make(),
    products: make(),
    chargeReports: make(),
    forgetInvoice: (invoiceId) => {
      invoices.delete(invoiceId);
      heldInvoices.delete(invoiceId);
    },
  };
}
