import type Stripe from 'stripe';
import { NotFoundError } from '../../plugin/core/errors.js';
import { stripeCall } from './map-stripe-error.js';
import { collect } from './stripe-values.js';

export interface InvoiceWithPayments {
  readonly invoice: Stripe.Invoice;
  /** Every InvoicePayment of the invoice (basil+), whatever its status. */
  readonly payments: readonly Stripe.InvoicePayment[];
}

/**
 * The invoice with its payments expanded. Stripe inlines the first page only, so a longer list is
 * read through `invoicePayments.list`.
 */
export async function retrieveInvoice(stripe: Stripe, invoiceId: string): Promise<InvoiceWithPayments> {
  const invoice = await stripeCall(`retrieve invoice ${invoiceId}`, () =>
    stripe.invoices.retrieve(invoiceId, { expand: ['payments'] }),
  );
  const inline = invoice.payments;
  if (inline && !inline.has_more) return { invoice, payments: inline.data };
  const payments = await stripeCall(`list payments of invoice ${invoiceId}`, () =>
    collect(stripe.invoicePayments.list({ invoice: invoiceId, limit: 100 })),
  );
  return { invoice, payments };
}

/** A detached or deleted PaymentMethod is not an error for readers: the charge still describes the card. */
export async function retrievePaymentMethod(
  stripe: Stripe,
  id: string,
): Promise<Stripe.PaymentMethod | null> {
  try {
    return await stripeCall(`retrieve payment method ${id}`, () => stripe.paymentMethods.retrieve(id));
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
