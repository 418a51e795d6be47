import type Stripe from 'stripe';
import type { InvoiceSnapshot } from '../../plugin/core/billing-engine.js';
import { invoiceStatusOf, paidThroughStripe } from './invoice-fields.js';
import { writeBackRescueId } from './invoice-metadata.js';
import type { StripeReadCache } from './read-cache.js';
import { INVOICE_SUBSCRIPTION_EXPAND, retrieveInvoice, subscriptionOfInvoice } from './stripe-reads.js';
import { moneyOf } from './stripe-values.js';

/** The invoice as Stripe sees it now, with its subscription's status: one request. */
export async function loadInvoiceSnapshot(
  stripe: Stripe,
  invoiceId: string,
  cache?: StripeReadCache,
): Promise<InvoiceSnapshot> {
  const { invoice, payments } = await retrieveInvoice(stripe, invoiceId, {
    expand: [INVOICE_SUBSCRIPTION_EXPAND],
    ...(cache ? { cache } : {}),
  });
  const subscription = await subscriptionOfInvoice(stripe, invoice);
  return {
    invoiceId: invoice.id,
    status: invoiceStatusOf(invoice),
    autoAdvance: invoice.auto_advance ?? false,
    paidByRescueId: paidByRescueId(invoice, payments),
    subscriptionStatus: subscription?.status ?? null,
    subscriptionPaused: subscription
      ? subscription.pause_collection != null || subscription.status === 'paused'
      : false,
    amountRemaining: moneyOf(invoice.amount_remaining, invoice.currency),
    nextPaymentAttempt: invoice.next_payment_attempt ? new Date(invoice.next_payment_attempt * 1000) : null,
  };
}

/**
 * The rescue whose write-back label the paid invoice carries, when no Stripe payment paid it. A
 * label, not proof: `recordRecoveredPayment` proves a write-back ours by replaying its key.
 */
export function paidByRescueId(
  invoice: Stripe.Invoice,
  payments: readonly Stripe.InvoicePayment[],
): string | null {
  if (invoice.status !== 'paid' || paidThroughStripe(payments)) return null;
  return writeBackRescueId(invoice.metadata);
}
