import type Stripe from 'stripe';
import type { ChargeReport, MetadataKeys } from '../../plugin/core/billing-engine.js';
import { attemptResponseOf } from './attempt-response.js';
import { invoiceSubscriptionId, linePriceIdOf } from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import type { StripeReadCache } from './read-cache.js';
import { SUBSCRIPTION_CATALOG_EXPAND, siteMetadataOf } from './site-metadata.js';
import { retrievePaymentMethod } from './stripe-reads.js';
import { cardFromCharge, cardFromPaymentMethod, expanded, fromUnix, idOf, moneyOf } from './stripe-values.js';
import { subscriptionTermsOf } from './subscription-terms.js';
import { isOffSessionPayment, transactionContextOf } from './transaction-context.js';

/**
 * A charge Stripe reported (`charge.succeeded`/`charge.failed`), as /transmit wants it. A failed
 * renewal charge the rescue has just loaded is reported from what that load read (`chargeReports`).
 */
export async function loadCharge(
  stripe: Stripe,
  chargeId: string,
  keys: MetadataKeys,
  cache: StripeReadCache,
): Promise<ChargeReport> {
  const known = cache.chargeReports.get(chargeId);
  if (known) return known;
  const charge = await stripeCall(`retrieve charge ${chargeId}`, () =>
    stripe.charges.retrieve(chargeId, { expand: ['customer', 'payment_intent'] }),
  );
  const paymentIntentId = idOf(charge.payment_intent);
  const [invoice, paymentMethod] = await Promise.all([
    paymentIntentId ? invoiceOfPaymentIntent(stripe, paymentIntentId) : null,
    charge.payment_method ? retrievePaymentMethod(stripe, charge.payment_method, cache) : null,
  ]);
  const subscriptionId = invoice ? invoiceSubscriptionId(invoice) : null;
  const subscription = subscriptionId
    ? await stripeCall(`retrieve subscription ${subscriptionId}`, () =>
        stripe.subscriptions.retrieve(subscriptionId, { expand: [SUBSCRIPTION_CATALOG_EXPAND] }),
      )
    : null;
  const linePriceIds = (invoice?.lines.data ?? [])
    .map(linePriceIdOf)
    .filter((id): id is string => id !== null);
  const siteMetadata = await siteMetadataOf(
    stripe,
    { key: keys.site, invoice, subscription, linePriceIds },
    cache,
  );
  return chargeReportOf({
    keys,
    charge,
    paymentIntent: expanded(charge.payment_intent),
    customer: expanded(charge.customer),
    invoice,
    subscription,
    paymentMethod,
    siteMetadata,
  });
}

/** What a charge report is made of, however it was read. */
export interface ChargeEvidence {
  readonly keys: MetadataKeys;
  readonly charge: Stripe.Charge;
  readonly paymentIntent: Stripe.PaymentIntent | null;
  readonly customer: Stripe.Customer | Stripe.DeletedCustomer | null;
  readonly invoice: Stripe.Invoice | null;
  readonly subscription: Stripe.Subscription | null;
  readonly paymentMethod: Stripe.PaymentMethod | null;
  readonly siteMetadata: string | null;
}

export function chargeReportOf(evidence: ChargeEvidence): ChargeReport {
  const { keys, charge, paymentIntent, invoice, subscription, paymentMethod } = evidence;
  const terms = subscription && invoice ? subscriptionTermsOf(subscription, invoice.subtotal) : null;
  const error = paymentIntent?.last_payment_error;
  const liveCustomer = evidence.customer && !evidence.customer.deleted ? evidence.customer : null;
  const offSession = isOffSessionPayment({
    charge,
    paymentIntent,
    billingReason: invoice?.billing_reason ?? null,
    engineInitiated: false,
  });
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
      siteMetadata: evidence.siteMetadata,
    }),
    succeeded: charge.status === 'succeeded',
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
