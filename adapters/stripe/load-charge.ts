import type Stripe from 'stripe';
import type { ChargeReport, MetadataKeys } from '../../plugin/core/billing-engine.js';
import { attemptResponseOf } from './attempt-response.js';
import { invoiceSubscriptionId, linePriceIdOf } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { SUBSCRIPTION_CATALOG_EXPAND, siteMetadataOf } from './site-metadata.js';
import { retrievePaymentMethod } from './stripe-reads.js';
import { cardFromCharge, cardFromPaymentMethod, expanded, fromUnix, idOf, moneyOf } from './stripe-values.js';
import { subscriptionTermsOf } from './subscription-terms.js';
import { DEFAULT_METADATA_KEYS, isOffSessionPayment, transactionContextOf } from './transaction-context.js';

/** A charge Stripe reported (`charge.succeeded`/`charge.failed`), as /transmit wants it. */
export async function loadCharge(
  stripe: Stripe,
  chargeId: string,
  keys: MetadataKeys = DEFAULT_METADATA_KEYS,
): Promise<ChargeReport> {
  const charge = await stripeCall(`retrieve charge ${chargeId}`, () =>
    stripe.charges.retrieve(chargeId, { expand: ['customer', 'payment_intent'] }),
  );
  const paymentIntentId = idOf(charge.payment_intent);
  const [invoice, paymentMethod] = await Promise.all([
    paymentIntentId ? invoiceOfPaymentIntent(stripe, paymentIntentId) : null,
    charge.payment_method ? retrievePaymentMethod(stripe, charge.payment_method) : null,
  ]);
  const subscriptionId = invoice ? invoiceSubscriptionId(invoice) : null;
  const subscription = subscriptionId
    ? await stripeCall(`retrieve subscription ${subscriptionId}`, () =>
        stripe.subscriptions.retrieve(subscriptionId, { expand: [SUBSCRIPTION_CATALOG_EXPAND] }),
      )
    : null;
  const terms = subscription && invoice ? subscriptionTermsOf(subscription, invoice.subtotal) : null;
  const succeeded = charge.status === 'succeeded';
  const paymentIntent = expanded(charge.payment_intent);
  const error = paymentIntent?.last_payment_error;
  const customer = expanded(charge.customer);
  const liveCustomer = customer && !customer.deleted ? customer : null;
  const offSession = isOffSessionPayment({
    charge,
    paymentIntent,
    billingReason: invoice?.billing_reason ?? null,
    engineInitiated: false,
  });
  const linePriceIds = (invoice?.lines.data ?? [])
    .map(linePriceIdOf)
    .filter((id): id is string => id !== null);
  return {
    chargeId: charge.id,
    context: transactionContextOf({
      keys,
      charge,
      offSession,
      channelSources: [
        invoice?.metadata,
        subscription?.metadata,
        liveCustomer?.metadata,
        paymentIntent?.metadata,
      ],
      siteMetadata: await siteMetadataOf(stripe, { key: keys.site, invoice, subscription, linePriceIds }),
    }),
    succeeded,
    amount: moneyOf(charge.amount, charge.currency),
    createdAt: fromUnix(charge.created),
    invoiceId: invoice?.id ?? null,
    subscription: subscription && terms ? { id: subscription.id, ...terms } : null,
    offSession,
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

/**
 * basil+ links charges to invoices only through InvoicePayments (the charge lost `invoice`); the
 * invoice comes expanded in the same request.
 */
async function invoiceOfPaymentIntent(
  stripe: Stripe,
  paymentIntentId: string,
): Promise<Stripe.Invoice | null> {
  const payments = await stripeCall(`find the invoice of payment intent ${paymentIntentId}`, () =>
    stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: paymentIntentId },
      limit: 1,
      expand: ['data.invoice'],
    }),
  );
  const invoice = payments.data[0]?.invoice;
  if (!invoice) return null;
  if (typeof invoice !== 'string') return 'deleted' in invoice ? null : invoice;
  return stripeCall(`retrieve invoice ${invoice}`, () => stripe.invoices.retrieve(invoice));
}
