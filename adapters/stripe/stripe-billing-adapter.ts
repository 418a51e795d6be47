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
  return {
    id: 'stripe',
    holdCapability: 'toggle',
    verifyWebhook: (rawBody, headers) => verifyStripeWebhook(stripe, webhookSecret, clock, rawBody, headers),
    normalize: (event) => mapStripeEvent(event),
    loadRenewalFailure: (invoiceId, origin) => loadRenewalFailure(stripe, invoiceId, origin, keys),
    invoiceStatus: (invoiceId) => loadInvoiceSnapshot(stripe, invoiceId),
    holdRetries: (invoiceId, hold) => holdInvoiceRetries(stripe, invoiceId, hold, clock.now()),
    releaseHold: (invoiceId, release) => releaseInvoiceHold(stripe, invoiceId, release, clock.now()),
    recordRecoveredPayment: (invoiceId, payment) => writeBack(stripe, invoiceId, payment, clock.now()),
    recordRefund: (_invoiceId, refund) => recordPaymentRecordRefund(stripe, refund),
    retryPaymentOnce: (invoiceId, retry) => retryPaymentOnce(stripe, invoiceId, retry),
    markUncollectible: (invoiceId, mark) => markUncollectible(stripe, invoiceId, mark),
    loadCharge: (chargeId) => loadCharge(stripe, chargeId, keys),
  };
}
