import type Stripe from 'stripe';
import type { InvoiceStatus } from '../../plugin/core/billing-engine.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { idOf, readPath } from './stripe-values.js';

const INVOICE_STATUSES: ReadonlySet<string> = new Set(['draft', 'open', 'paid', 'void', 'uncollectible']);

/** Stripe's invoice status as the port's; a status this code does not know is a fault, not a guess. */
export function invoiceStatusOf(invoice: Stripe.Invoice): InvoiceStatus {
  const status = invoice.status ?? 'draft';
  if (INVOICE_STATUSES.has(status)) return status as InvoiceStatus;
  throw new ProviderError(
    'stripe',
    `invoice ${invoice.id} has a status this adapter does not know: ${status}`,
    {
      retryable: false,
    },
  );
}

/**
 * The subscription of an invoice in either shape: basil and later put it at
 * `parent.subscription_details.subscription`; acacia and older had a top-level `subscription`.
 */
export function invoiceSubscriptionId(invoice: Stripe.Invoice | Record<string, unknown>): string | null {
  return (
    refId(readPath(invoice, 'parent', 'subscription_details', 'subscription')) ??
    refId(readPath(invoice, 'subscription'))
  );
}

/**
 * The PaymentIntent Stripe Billing charges for this invoice: the default InvoicePayment's (basil+),
 * else the newest PaymentIntent payment listed. Needs `expand: ['payments']` or a payments list.
 */
export function invoicePaymentIntentId(payments: readonly Stripe.InvoicePayment[]): string | null {
  const intents = payments.filter((p) => p.payment.type === 'payment_intent' && p.payment.payment_intent);
  const chosen = intents.find((p) => p.is_default) ?? intents[0];
  return chosen ? idOf(chosen.payment.payment_intent) : null;
}

/**
 * Whether the invoice was paid by a Stripe payment (a charge or PaymentIntent that succeeded) rather
 * than marked paid out of band. Out-of-band payment cancels the invoice's PaymentIntent, so no
 * InvoicePayment of that kind reaches `paid`.
 */
export function paidThroughStripe(payments: readonly Stripe.InvoicePayment[]): boolean {
  return payments.some(
    (p) => p.status === 'paid' && (p.payment.type === 'payment_intent' || p.payment.type === 'charge'),
  );
}

/** The price of an invoice line in either shape: basil+ `pricing.price_details.price`, else `price`. */
export function linePriceIdOf(line: Stripe.InvoiceLineItem): string | null {
  return refId(readPath(line, 'pricing', 'price_details', 'price')) ?? refId(readPath(line, 'price'));
}

function refId(value: unknown): string | null {
  if (typeof value === 'string' && value) return value;
  const id = readPath(value, 'id');
  return typeof id === 'string' && id ? id : null;
}
