import type Stripe from 'stripe';
import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import { attemptResponseOf } from './attempt-response.js';
import { invoiceSubscriptionId } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { retrievePaymentMethod } from './stripe-reads.js';
import { cardFromCharge, cardFromPaymentMethod, expanded, fromUnix, idOf, moneyOf } from './stripe-values.js';
import { subscriptionTermsOf } from './subscription-terms.js';

/** A charge Stripe reported (`charge.succeeded`/`charge.failed`), as /transmit wants it. */
export async function loadCharge(stripe: Stripe, chargeId: string): Promise<ChargeReport> {
  const charge = await stripeCall(`retrieve charge ${chargeId}`, () =>
    stripe.charges.retrieve(chargeId, { expand: ['customer', 'payment_intent'] }),
  );
  const paymentIntentId = idOf(charge.payment_intent);
  const [invoice, paymentMethod] = await Promise.all([
    paymentIntentId ? invoiceOfPaymentIntent(stripe, paymentIntentId) : null,
    charge.payment_method ? retrievePaymentMethod(stripe, charge.payment_method) : null,
  ]);
  const subscriptionId = invoice ? invoiceSubscriptionId(invoice) : null;
  const subscription =
    invoice && subscriptionId ? await subscriptionOf(stripe, subscriptionId, invoice.subtotal) : null;
  const succeeded = charge.status === 'succeeded';
  const paymentIntent = expanded(charge.payment_intent);
  const error = paymentIntent?.last_payment_error;
  const customer = expanded(charge.customer);
  const liveCustomer = customer && !customer.deleted ? customer : null;
  return {
    chargeId: charge.id,
    succeeded,
    amount: moneyOf(charge.amount, charge.currency),
    createdAt: fromUnix(charge.created),
    invoiceId: invoice?.id ?? null,
    subscription,
    offSession: isOffSession(charge, invoice),
    // The PaymentIntent's error is about its latest attempt, which need not be this charge.
    ...attemptResponseOf(charge, error?.charge === charge.id ? error : null),
    card: paymentMethod ? cardFromPaymentMethod(paymentMethod) : cardFromCharge(charge),
    customer: {
      id: idOf(charge.customer),
      email: liveCustomer?.email ?? charge.billing_details?.email ?? null,
      phone: liveCustomer?.phone ?? charge.billing_details?.phone ?? null,
    },
    statementDescriptor: charge.calculated_statement_descriptor ?? charge.statement_descriptor ?? null,
  };
}

/** The subscription's terms, as /transmit describes a recurring MIT. */
async function subscriptionOf(
  stripe: Stripe,
  subscriptionId: string,
  invoiceSubtotal: number,
): Promise<ChargeReport['subscription']> {
  const subscription = await stripeCall(`retrieve subscription ${subscriptionId}`, () =>
    stripe.subscriptions.retrieve(subscriptionId),
  );
  const terms = subscriptionTermsOf(subscription, invoiceSubtotal);
  return terms ? { id: subscription.id, ...terms } : null;
}

/** basil+ links charges to invoices only through InvoicePayments (the charge lost `invoice`). */
async function invoiceOfPaymentIntent(
  stripe: Stripe,
  paymentIntentId: string,
): Promise<Stripe.Invoice | null> {
  const payments = await stripeCall(`find the invoice of payment intent ${paymentIntentId}`, () =>
    stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: paymentIntentId },
      limit: 1,
    }),
  );
  const invoiceId = idOf(payments.data[0]?.invoice);
  if (!invoiceId) return null;
  return stripeCall(`retrieve invoice ${invoiceId}`, () => stripe.invoices.retrieve(invoiceId));
}

/**
 * A merchant-initiated charge of a stored card: Stripe says so (`stored_credential_usage`), or,
 * without that field, it paid a renewal and nothing shows the customer was present (3DS, or the
 * charge that saved the card).
 */
function isOffSession(charge: Stripe.Charge, invoice: Stripe.Invoice | null): boolean {
  const card = charge.payment_method_details?.card;
  if (card?.stored_credential_usage) return true;
  if (card?.three_d_secure || card?.setup_credential_usage) return false;
  return invoice?.billing_reason === 'subscription_cycle';
}
