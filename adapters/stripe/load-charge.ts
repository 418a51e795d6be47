import type Stripe from 'stripe';
import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import { invoiceSubscriptionId } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { retrievePaymentMethod } from './stripe-reads.js';
import { cardFromCharge, cardFromPaymentMethod, expanded, fromUnix, idOf, moneyOf } from './stripe-values.js';

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
  const subscription = subscriptionId ? await subscriptionTerms(stripe, subscriptionId) : null;
  const succeeded = charge.status === 'succeeded';
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
    declineCode: succeeded ? null : declineCodeOf(charge, expanded(charge.payment_intent)),
    responseCode: charge.outcome?.network_decline_code ?? null,
    card: paymentMethod ? cardFromPaymentMethod(paymentMethod) : cardFromCharge(charge),
    customer: {
      id: idOf(charge.customer),
      email: liveCustomer?.email ?? charge.billing_details?.email ?? null,
      phone: liveCustomer?.phone ?? charge.billing_details?.phone ?? null,
    },
    statementDescriptor: charge.calculated_statement_descriptor ?? charge.statement_descriptor ?? null,
  };
}

/** What the subscription charges and how often, from its first recurring item. */
async function subscriptionTerms(
  stripe: Stripe,
  subscriptionId: string,
): Promise<ChargeReport['subscription']> {
  const subscription = await stripeCall(`retrieve subscription ${subscriptionId}`, () =>
    stripe.subscriptions.retrieve(subscriptionId),
  );
  const price = subscription.items.data.find((item) => item.price.recurring)?.price;
  if (!price?.recurring) return null;
  return {
    id: subscription.id,
    interval: price.recurring.interval,
    intervalCount: price.recurring.interval_count,
    price: moneyOf(price.unit_amount ?? 0, price.currency),
  };
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

function declineCodeOf(charge: Stripe.Charge, paymentIntent: Stripe.PaymentIntent | null): string | null {
  const error = paymentIntent?.last_payment_error;
  if (error?.charge === charge.id && error.decline_code) return error.decline_code;
  const outcome = charge.outcome;
  if (outcome?.type === 'issuer_declined' && outcome.reason) return outcome.reason;
  return charge.failure_code ?? null;
}
