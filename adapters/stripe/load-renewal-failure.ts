import type Stripe from 'stripe';
import type {
  CardDetails,
  FailureOrigin,
  MetadataKeys,
  RenewalFailure,
} from '../../plugin/core/billing-engine.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { attemptResponseOf } from './attempt-response.js';
import { decideEngineInitiated } from './engine-initiated.js';
import { type CardRef, findOriginalPayment } from './find-original-payment.js';
import { invoicePaymentIntentId, invoiceStatusOf, linePriceIdOf } from './invoice-fields.js';
import { chargeReportOf } from './load-charge.js';
import { stripeCall } from './map-stripe-error.js';
import { SAME_MOMENT_MS, type StripeReadCache } from './read-cache.js';
import { siteMetadataOf } from './site-metadata.js';
import {
  INVOICE_SUBSCRIPTION_EXPAND,
  type InvoiceWithPayments,
  retrieveCharge,
  retrieveInvoice,
  retrievePaymentMethod,
  subscriptionOfInvoice,
} from './stripe-reads.js';
import {
  addressOf,
  cardFromCharge,
  cardFromPaymentMethod,
  collect,
  expanded,
  fromUnix,
  idOf,
  moneyOf,
} from './stripe-values.js';
import { subscriptionTermsOf } from './subscription-terms.js';
import { isOffSessionPayment, transactionContextOf } from './transaction-context.js';

/**
 * What the renewal's invoice is read with: all that one request can carry (Stripe expands at most
 * four levels). The customer; the subscription (status, pause, items and prices); the PaymentIntent
 * of each payment (its latest charge would be a fifth level: read on its own); and the three
 * defaults Stripe Billing charges from (invoice, subscription, customer), so that the card of the
 * failed attempt, which is one of them, needs no request of its own.
 */
export const RENEWAL_INVOICE_EXPAND: readonly string[] = [
  'customer',
  'customer.invoice_settings.default_payment_method',
  'default_payment_method',
  INVOICE_SUBSCRIPTION_EXPAND,
  `${INVOICE_SUBSCRIPTION_EXPAND}.default_payment_method`,
  'payments.data.payment.payment_intent',
];

/**
 * Everything /evaluate needs about a failed renewal, re-read from Stripe with the pinned SDK (the
 * webhook payload is only a trigger: its shape follows the endpoint's API version). The invoice,
 * its subscription, customer and PaymentIntent are read afresh every time, in one request (or taken
 * from Stripe's answer to our hold of a moment ago, which is that same read); what
 * describes the past (the failed charge, the subscription's earlier invoices and first payment, the
 * catalogue) comes from the merchant's cache while it is fresh. The failed charge's /transmit report
 * is kept from the same reads.
 */
export async function loadRenewalFailure(
  stripe: Stripe,
  invoiceId: string,
  origin: FailureOrigin | undefined,
  keys: MetadataKeys,
  cache: StripeReadCache,
): Promise<RenewalFailure> {
  const { invoice, payments } =
    justHeld(invoiceId, cache) ??
    (await retrieveInvoice(stripe, invoiceId, { expand: RENEWAL_INVOICE_EXPAND, cache }));
  const subscription = await subscriptionOfInvoice(stripe, invoice);
  if (!subscription) {
    throw new ProviderError('stripe', `invoice ${invoiceId} belongs to no subscription`, {
      retryable: false,
    });
  }
  const customerId = idOf(invoice.customer);
  const [paymentIntent, customer, invoices, lines] = await Promise.all([
    paymentIntentOf(stripe, payments),
    customerOf(stripe, invoice.customer),
    cache.subscriptionInvoices.through(subscription.id, () =>
      stripeCall(`list invoices of subscription ${subscription.id}`, () =>
        collect(stripe.invoices.list({ subscription: subscription.id, limit: 100 })),
      ),
    ),
    invoiceLines(stripe, invoice),
  ]);

  const failedCharge = await failedChargeOf(stripe, paymentIntent, cache);
  const error = paymentIntent?.last_payment_error ?? null;
  const paymentMethodId =
    failedCharge?.payment_method ?? idOf(error?.payment_method) ?? idOf(paymentIntent?.payment_method);
  const failedCard: CardRef | null = paymentMethodId
    ? {
        paymentMethodId,
        fingerprint: failedCharge?.payment_method_details?.card?.fingerprint ?? null,
      }
    : null;
  const notBefore = failedCharge?.created ?? invoice.status_transitions.finalized_at ?? invoice.created;
  const linePriceIds = lines.map(linePriceIdOf).filter((id): id is string => id !== null);
  const originalKey = [subscription.id, invoiceId, paymentMethodId, failedCard?.fingerprint].join(':');
  const [paymentMethod, originalAuthentication, initiated, siteMetadata] = await Promise.all([
    paymentMethodId
      ? paymentMethodOf(stripe, paymentMethodId, { invoice, subscription, customer }, cache)
      : null,
    cache.originalAuthentications.through(originalKey, () =>
      findOriginalPayment(stripe, { invoices, failedCard, excludeInvoiceId: invoiceId }),
    ),
    // The failure webhook already said who made the attempt; the event-log scan is the fallback.
    origin
      ? { engineInitiated: origin.engineInitiated, basis: 'event' as const, eventCreated: null }
      : decideEngineInitiated(stripe, { invoiceId, failedCharge, notBefore }),
    siteMetadataOf(stripe, { key: keys.site, invoice, subscription, linePriceIds }, cache),
  ]);

  if (failedCharge) {
    cache.chargeReports.set(
      failedCharge.id,
      chargeReportOf({
        keys,
        charge: failedCharge,
        paymentIntent,
        customer,
        invoice,
        subscription,
        paymentMethod,
        siteMetadata,
      }),
    );
  }
  const terms = subscriptionTermsOf(subscription, invoice.subtotal);
  if (!terms) {
    throw new ProviderError('stripe', `subscription ${subscription.id} has no recurring price`, {
      retryable: false,
    });
  }
  const card: CardDetails | null = paymentMethod
    ? cardFromPaymentMethod(paymentMethod)
    : failedCharge
      ? cardFromCharge(failedCharge)
      : null;
  const liveCustomer = customer && !customer.deleted ? customer : null;
  const context = transactionContextOf({
    keys,
    charge: failedCharge,
    offSession: isOffSessionPayment({
      charge: failedCharge,
      paymentIntent,
      billingReason: invoice.billing_reason ?? null,
      engineInitiated: initiated.engineInitiated,
    }),
    channelSources: [
      invoice.metadata,
      subscription.metadata,
      liveCustomer?.metadata,
      paymentIntent?.metadata,
    ],
    siteMetadata,
  });

  return {
    invoiceId: invoice.id,
    context,
    invoiceStatus: invoiceStatusOf(invoice),
    billingReason: invoice.billing_reason ?? null,
    automaticCollection: invoice.collection_method === 'charge_automatically',
    engineInitiated: initiated.engineInitiated,
    attemptCount: invoice.attempt_count,
    autoAdvance: invoice.auto_advance ?? false,
    failedAt: fromUnix(failedCharge?.created ?? initiated.eventCreated ?? notBefore),
    // What is still owed: an invoice may already be partly paid (basil+ partial payments).
    amountDue: moneyOf(invoice.amount_remaining, invoice.currency),
    statementDescriptor:
      invoice.statement_descriptor ?? failedCharge?.calculated_statement_descriptor ?? null,
    subscription: {
      id: subscription.id,
      status: subscription.status,
      collectionPaused: subscription.pause_collection != null || subscription.status === 'paused',
      ...terms,
      paymentNumber: paymentNumberOf(invoices, invoice),
    },
    failedPayment: {
      ...attemptResponseOf(failedCharge, error),
      chargeId: failedCharge?.id ?? error?.charge ?? null,
      paymentIntentId: paymentIntent?.id ?? null,
      adviceCode: error?.advice_code ?? failedCharge?.outcome?.advice_code ?? null,
      message: error?.message ?? failedCharge?.failure_message ?? null,
    },
    card,
    customer: {
      id: customerId ?? '',
      email: liveCustomer?.email ?? invoice.customer_email ?? null,
      phone: liveCustomer?.phone ?? invoice.customer_phone ?? null,
      name: liveCustomer?.name ?? invoice.customer_name ?? null,
      address: addressOf(liveCustomer?.address) ?? addressOf(invoice.customer_address),
    },
    lines: lines.map((line) => ({
      description: line.description ?? null,
      amount: moneyOf(line.amount, line.currency),
      quantity: line.quantity ?? 1,
      priceId: linePriceIdOf(line),
    })),
    originalAuthentication,
  };
}

/** The PaymentIntent Stripe Billing charged: as expanded with the invoice, else read. */
async function paymentIntentOf(
  stripe: Stripe,
  payments: readonly Stripe.InvoicePayment[],
): Promise<Stripe.PaymentIntent | null> {
  const piId = invoicePaymentIntentId(payments);
  if (!piId) return null;
  const inline = payments
    .map((p) => expanded(p.payment.payment_intent))
    .find((pi): pi is Stripe.PaymentIntent => pi?.id === piId);
  return inline ?? stripeCall(`retrieve payment intent ${piId}`, () => stripe.paymentIntents.retrieve(piId));
}

/** The invoice's customer as expanded with it, else read. */
async function customerOf(
  stripe: Stripe,
  customer: Stripe.Invoice['customer'],
): Promise<Stripe.Customer | Stripe.DeletedCustomer | null> {
  if (!customer) return null;
  if (typeof customer !== 'string') return customer;
  return stripeCall(`retrieve customer ${customer}`, () => stripe.customers.retrieve(customer));
}

/**
 * The card of the failed attempt: one of the defaults read with the invoice (invoice, subscription,
 * customer, in the order Stripe Billing picks them) when it is that card, else read on its own.
 */
async function paymentMethodOf(
  stripe: Stripe,
  id: string,
  read: {
    invoice: Stripe.Invoice;
    subscription: Stripe.Subscription;
    customer: Stripe.Customer | Stripe.DeletedCustomer | null;
  },
  cache: StripeReadCache,
): Promise<Stripe.PaymentMethod | null> {
  const customer = read.customer && !read.customer.deleted ? read.customer : null;
  const inline = [
    read.invoice.default_payment_method,
    read.subscription.default_payment_method,
    customer?.invoice_settings?.default_payment_method,
  ]
    .map((pm) => expanded(pm))
    .find((pm) => pm?.id === id);
  if (!inline) return retrievePaymentMethod(stripe, id, cache);
  cache.paymentMethods.set(id, inline);
  return inline;
}

/** The charge of the failed attempt: the PaymentIntent's latest, or the one its error names. */
async function failedChargeOf(
  stripe: Stripe,
  paymentIntent: Stripe.PaymentIntent | null,
  cache: StripeReadCache,
): Promise<Stripe.Charge | null> {
  if (!paymentIntent) return null;
  const latestId = idOf(paymentIntent.latest_charge);
  const latest =
    expanded(paymentIntent.latest_charge) ??
    (latestId ? await retrieveCharge(stripe, latestId, cache) : null);
  if (latest?.status === 'failed') return latest;
  const named = paymentIntent.last_payment_error?.charge;
  if (!named || named === latest?.id) return null;
  return retrieveCharge(stripe, named, cache);
}

async function invoiceLines(stripe: Stripe, invoice: Stripe.Invoice): Promise<Stripe.InvoiceLineItem[]> {
  if (!invoice.lines.has_more) return invoice.lines.data;
  return stripeCall(`list lines of invoice ${invoice.id}`, () =>
    collect(stripe.invoices.listLineItems(invoice.id, { limit: 100 })),
  );
}

/**
 * Which payment of the series this invoice is, counting the subscription's paid invoices that asked
 * for money (a free trial's 0 invoice is no payment) up to and including this one, oldest = 1.
 */
function paymentNumberOf(invoices: readonly Stripe.Invoice[], current: Stripe.Invoice): number {
  const earlier = invoices.filter(
    (inv) =>
      inv.id !== current.id && inv.status === 'paid' && inv.amount_due > 0 && inv.created <= current.created,
  );
  return earlier.length + 1;
}

/**
 * The invoice as Stripe answered our hold of it a moment ago (SAME_MOMENT_MS, no write since), with
 * every payment inline: the state it is in now, as a fresh read would give it. The hand-over follows
 * the hold within the same claim; a payment landing after it is met as one landing after any read
 * (the order is cancelled, or a collection refunded).
 */
function justHeld(invoiceId: string, cache: StripeReadCache): InvoiceWithPayments | null {
  const invoice = cache.heldInvoices.get(invoiceId, SAME_MOMENT_MS);
  const inline = invoice?.payments;
  return invoice && inline && !inline.has_more ? { invoice, payments: inline.data } : null;
}
