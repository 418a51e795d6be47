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
import {
  invoicePaymentIntentId,
  invoiceStatusOf,
  invoiceSubscriptionId,
  linePriceIdOf,
} from './invoice-fields.js';
import { stripeCall } from './map-stripe-error.js';
import { SUBSCRIPTION_CATALOG_EXPAND, siteMetadataOf } from './site-metadata.js';
import { retrieveInvoice, retrievePaymentMethod } from './stripe-reads.js';
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
import { DEFAULT_METADATA_KEYS, isOffSessionPayment, transactionContextOf } from './transaction-context.js';

/**
 * Everything /evaluate needs about a failed renewal, re-read from Stripe with the pinned SDK (the
 * webhook payload is only a trigger: its shape follows the endpoint's API version).
 */
export async function loadRenewalFailure(
  stripe: Stripe,
  invoiceId: string,
  origin?: FailureOrigin,
  keys: MetadataKeys = DEFAULT_METADATA_KEYS,
): Promise<RenewalFailure> {
  const { invoice, payments } = await retrieveInvoice(stripe, invoiceId);
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (!subscriptionId) {
    throw new ProviderError('stripe', `invoice ${invoiceId} belongs to no subscription`, {
      retryable: false,
    });
  }
  const piId = invoicePaymentIntentId(payments);
  const customerId = idOf(invoice.customer);
  const [paymentIntent, subscription, invoices, customer, lines] = await Promise.all([
    piId
      ? stripeCall(`retrieve payment intent ${piId}`, () =>
          stripe.paymentIntents.retrieve(piId, { expand: ['latest_charge'] }),
        )
      : null,
    stripeCall(`retrieve subscription ${subscriptionId}`, () =>
      stripe.subscriptions.retrieve(subscriptionId, { expand: [SUBSCRIPTION_CATALOG_EXPAND] }),
    ),
    stripeCall(`list invoices of subscription ${subscriptionId}`, () =>
      collect(stripe.invoices.list({ subscription: subscriptionId, limit: 100 })),
    ),
    customerId
      ? stripeCall(`retrieve customer ${customerId}`, () => stripe.customers.retrieve(customerId))
      : null,
    invoiceLines(stripe, invoice),
  ]);

  const failedCharge = await failedChargeOf(stripe, paymentIntent);
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
  const [paymentMethod, originalAuthentication, initiated, siteMetadata] = await Promise.all([
    paymentMethodId ? retrievePaymentMethod(stripe, paymentMethodId) : null,
    findOriginalPayment(stripe, { invoices, failedCard, excludeInvoiceId: invoiceId }),
    // The failure webhook already said who made the attempt; the event-log scan is the fallback.
    origin
      ? { engineInitiated: origin.engineInitiated, basis: 'event' as const, eventCreated: null }
      : decideEngineInitiated(stripe, { invoiceId, failedCharge, notBefore }),
    siteMetadataOf(stripe, { key: keys.site, invoice, subscription, linePriceIds }),
  ]);

  const terms = subscriptionTermsOf(subscription, invoice.subtotal);
  if (!terms) {
    throw new ProviderError('stripe', `subscription ${subscriptionId} has no recurring price`, {
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

/** The charge of the failed attempt: the PaymentIntent's latest, or the one its error names. */
async function failedChargeOf(
  stripe: Stripe,
  paymentIntent: Stripe.PaymentIntent | null,
): Promise<Stripe.Charge | null> {
  if (!paymentIntent) return null;
  const latest = expanded(paymentIntent.latest_charge);
  if (latest?.status === 'failed') return latest;
  const named = paymentIntent.last_payment_error?.charge;
  if (!named || named === latest?.id) return null;
  return stripeCall(`retrieve charge ${named}`, () => stripe.charges.retrieve(named));
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
