import type Stripe from 'stripe';
import { NotFoundError } from '../../plugin/core/errors.js';
import { invoiceSubscriptionId } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { SAME_MOMENT_MS, type StripeReadCache } from './read-cache.js';
import { collect, readPath } from './stripe-values.js';

export interface InvoiceWithPayments {
  readonly invoice: Stripe.Invoice;
  /** Every InvoicePayment of the invoice (basil+), whatever its status. */
  readonly payments: readonly Stripe.InvoicePayment[];
}

/** The invoice's subscription comes inline (its status, pause and items' prices): no second request. */
export const INVOICE_SUBSCRIPTION_EXPAND = 'parent.subscription_details.subscription';

/**
 * The invoice with its payments expanded (plus `expand`). Stripe inlines the first page only, so a
 * longer list is read through `invoicePayments.list`. With a cache, the read is kept as the
 * invoice's latest (for a write of the same moment, see `recentInvoice`).
 */
export async function retrieveInvoice(
  stripe: Stripe,
  invoiceId: string,
  options: { expand?: readonly string[]; cache?: StripeReadCache } = {},
): Promise<InvoiceWithPayments> {
  const invoice = await stripeCall(`retrieve invoice ${invoiceId}`, () =>
    stripe.invoices.retrieve(invoiceId, { expand: ['payments', ...(options.expand ?? [])] }),
  );
  options.cache?.invoices.set(invoiceId, invoice);
  const inline = invoice.payments;
  if (inline && !inline.has_more) return { invoice, payments: inline.data };
  const payments = await stripeCall(`list payments of invoice ${invoiceId}`, () =>
    collect(stripe.invoicePayments.list({ invoice: invoiceId, limit: 100 })),
  );
  return { invoice, payments };
}

/**
 * The invoice as read a moment ago by this adapter (SAME_MOMENT_MS, no write since), else as Stripe
 * has it now: for a write that needs what the step has just read (auto_advance, our metadata).
 */
export async function recentInvoice(
  stripe: Stripe,
  invoiceId: string,
  cache: StripeReadCache,
): Promise<Stripe.Invoice> {
  const recent = cache.invoices.get(invoiceId, SAME_MOMENT_MS);
  if (recent) return recent;
  const invoice = await stripeCall(`retrieve invoice ${invoiceId}`, () =>
    stripe.invoices.retrieve(invoiceId),
  );
  cache.invoices.set(invoiceId, invoice);
  return invoice;
}

/** A detached or deleted PaymentMethod is not an error for readers: the charge still describes the card. */
export async function retrievePaymentMethod(
  stripe: Stripe,
  id: string,
  cache?: StripeReadCache,
): Promise<Stripe.PaymentMethod | null> {
  const read = async () => {
    try {
      return await stripeCall(`retrieve payment method ${id}`, () => stripe.paymentMethods.retrieve(id));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  };
  return cache ? cache.paymentMethods.through(id, read) : read();
}

/**
 * A charge by id. A failed or succeeded one is kept: what that attempt recorded (outcome, card,
 * 3-D Secure) does not change; a pending one is read again next time.
 */
export async function retrieveCharge(
  stripe: Stripe,
  id: string,
  cache: StripeReadCache,
): Promise<Stripe.Charge> {
  const cached = cache.charges.get(id);
  if (cached) return cached;
  const charge = await stripeCall(`retrieve charge ${id}`, () => stripe.charges.retrieve(id));
  if (charge.status !== 'pending') cache.charges.set(id, charge);
  return charge;
}

/**
 * The invoice's subscription as read with it (`INVOICE_SUBSCRIPTION_EXPAND`), or, when only its id
 * came back (an older shape), retrieved; null for an invoice of no subscription.
 */
export async function subscriptionOfInvoice(
  stripe: Stripe,
  invoice: Stripe.Invoice,
): Promise<Stripe.Subscription | null> {
  const inline = readPath(invoice, 'parent', 'subscription_details', 'subscription');
  if (inline !== null && typeof inline === 'object') return inline as Stripe.Subscription;
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (!subscriptionId) return null;
  return stripeCall(`retrieve subscription ${subscriptionId}`, () =>
    stripe.subscriptions.retrieve(subscriptionId),
  );
}
