import type Stripe from 'stripe';
import type { InvoiceSnapshot } from '../../plugin/core/billing-engine.js';
import { invoiceStatusOf, invoiceSubscriptionId, paidThroughStripe } from './invoice-fields.js';
import { writeBackRescueId } from './invoice-metadata.js';
import { stripeCall } from './map-stripe-error.js';
import { retrieveInvoice } from './stripe-reads.js';

/** The invoice as Stripe sees it now, with its subscription's status. */
export async function loadInvoiceSnapshot(stripe: Stripe, invoiceId: string): Promise<InvoiceSnapshot> {
  const { invoice, payments } = await retrieveInvoice(stripe, invoiceId);
  const subscriptionId = invoiceSubscriptionId(invoice);
  const subscription = subscriptionId
    ? await stripeCall(`retrieve subscription ${subscriptionId}`, () =>
        stripe.subscriptions.retrieve(subscriptionId),
      )
    : null;
  return {
    invoiceId: invoice.id,
    status: invoiceStatusOf(invoice),
    autoAdvance: invoice.auto_advance ?? false,
    paidByRescueId: paidByRescueId(invoice, payments),
    subscriptionStatus: subscription?.status ?? null,
  };
}

/**
 * The rescue that paid the invoice: it is paid, carries our write-back stamp (`recovering` or
 * `recovered`: a crash may fall between paying and the final stamp), and no Stripe payment paid it.
 * The last check keeps a customer's payment that raced our write-back from passing as ours.
 */
export function paidByRescueId(
  invoice: Stripe.Invoice,
  payments: readonly Stripe.InvoicePayment[],
): string | null {
  if (invoice.status !== 'paid' || paidThroughStripe(payments)) return null;
  return writeBackRescueId(invoice.metadata);
}
