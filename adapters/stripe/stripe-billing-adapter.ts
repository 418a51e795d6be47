import type Stripe from 'stripe';
import type { BillingEngineAdapter, MetadataKeys } from '../../plugin/core/billing-engine.js';
import type { Clock } from '../../plugin/core/clock.js';
import type { WriteBackMode } from '../../plugin/core/merchant-settings.js';
import { markUncollectible, retryPaymentOnce } from './invoice-fallbacks.js';
import { holdInvoiceRetries, releaseInvoiceHold } from './invoice-hold.js';
import { loadInvoiceSnapshot } from './invoice-snapshot.js';
import { loadCharge } from './load-charge.js';
import { loadRenewalFailure } from './load-renewal-failure.js';
import { mapStripeEvent } from './map-stripe-event.js';
import { createStripeReadCache, DEFAULT_READ_CACHE_TTL_MS } from './read-cache.js';
import { recordPaymentRecord, recordPaymentRecordRefund } from './record-payment-record.js';
import { recordPaidOutOfBand } from './record-recovered-payment.js';
import { DEFAULT_METADATA_KEYS } from './transaction-context.js';
import { verifyStripeWebhook } from './verify-stripe-webhook.js';

export interface StripeBillingAdapterOptions {
  /** The SDK client (`createStripeClient`), or any stripe@23 instance, e.g. one pointed at the emulator. */
  readonly stripe: Stripe;
  /** The `whsec_…` signing secret of the webhook endpoint that points at this plugin. */
  readonly webhookSecret: string;
  /** Webhook signature age is measured against this clock. */
  readonly clock: Clock;
  /**
   * The metadata keys the merchant's Stripe objects use to name a site and an order channel, read
   * into each payment's `TransactionContext`. Default `{ site: 'flexcharge_site', orderChannel:
   * 'order_channel' }`.
   */
  readonly metadataKeys?: MetadataKeys;
  /**
   * How a rescued payment is written back: the invoice marked paid out of band with FlexCharge's
   * ids in metadata (the default), or a Payment Record processed by FlexCharge attached to it.
   */
  readonly writeBackMode?: WriteBackMode;
  /**
   * How long what one load read from Stripe may serve the next (the failed charge and its card, the
   * subscription's history, the catalogue); default one minute, 0 keeps nothing. Whether the invoice
   * is still open is read from Stripe whenever a step decides on it.
   */
  readonly readCacheTtlMs?: number;
}

/**
 * The billing-engine port over Stripe Billing (API version 2026-10-28.endive, as stripe@23 pins).
 * Holds work by switching the invoice's `auto_advance` off and on (`holdCapability: 'toggle'`);
 * every Stripe failure surfaces through `mapStripeError`.
 */
export function createStripeBillingAdapter(options: StripeBillingAdapterOptions): BillingEngineAdapter {
  const { stripe, webhookSecret, clock } = options;
  const keys = options.metadataKeys ?? DEFAULT_METADATA_KEYS;
  const writeBack = options.writeBackMode === 'payment_record' ? recordPaymentRecord : recordPaidOutOfBand;
  // One per adapter, so per merchant: what a burst of its renewals shares, and nothing of another's.
  const cache = createStripeReadCache(clock, options.readCacheTtlMs ?? DEFAULT_READ_CACHE_TTL_MS);
  /** Any write to an invoice: what was read of it before no longer stands for it. */
  const writing = async <T>(invoiceId: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } finally {
      cache.forgetInvoice(invoiceId);
    }
  };
  return {
    id: 'stripe',
    holdCapability: 'toggle',
    verifyWebhook: (rawBody, headers) => verifyStripeWebhook(stripe, webhookSecret, clock, rawBody, headers),
    normalize: (event) => mapStripeEvent(event),
    loadRenewalFailure: (invoiceId, origin) => loadRenewalFailure(stripe, invoiceId, origin, keys, cache),
    invoiceStatus: (invoiceId) => loadInvoiceSnapshot(stripe, invoiceId, cache),
    holdRetries: async (invoiceId, hold) => {
      const { answer, ...held } = await writing(invoiceId, () =>
        holdInvoiceRetries(stripe, invoiceId, hold, clock.now(), cache),
      );
      // Stripe's answer to the hold is the invoice as it is after it: kept for the hand-over.
      if (answer) cache.heldInvoices.set(invoiceId, answer);
      return held;
    },
    releaseHold: (invoiceId, release) =>
      writing(invoiceId, () => releaseInvoiceHold(stripe, invoiceId, release, clock.now(), cache)),
    recordRecoveredPayment: (invoiceId, payment) =>
      writing(invoiceId, () => writeBack(stripe, invoiceId, payment, clock.now())),
    recordRefund: (invoiceId, refund) => writing(invoiceId, () => recordPaymentRecordRefund(stripe, refund)),
    retryPaymentOnce: (invoiceId, retry) =>
      writing(invoiceId, () => retryPaymentOnce(stripe, invoiceId, retry)),
    markUncollectible: (invoiceId, mark) =>
      writing(invoiceId, () => markUncollectible(stripe, invoiceId, mark)),
    loadCharge: (chargeId) => loadCharge(stripe, chargeId, keys, cache),
  };
}
