import type Stripe from 'stripe';
import type { OriginalAuthentication } from '../../plugin/core/billing-engine.js';
import { findCardSetup } from './find-card-setup.js';
import { stripeCall } from './map-stripe-error.js';
import { threeDSecureDetailsOf } from './three-d-secure-details.js';

/** The card the failed renewal was charged to, as far as it is known. */
export interface CardRef {
  readonly paymentMethodId: string | null;
  readonly fingerprint: string | null;
}

/**
 * Paid invoices other than the first looked at for a later customer-initiated payment (a card
 * change paid on the hosted invoice page): newest first, at most this many, to bound the calls.
 */
const LATER_CIT_LOOKUPS = 6;

/**
 * The subscription's customer-initiated payment whose 3-D Secure and network transaction id the
 * rescue should reference (stripe-billing.md §3):
 *
 * 1. the paid `subscription_create` invoice's charge, if it was made with the card that failed now
 *    (same PaymentMethod or same card fingerprint);
 * 2. otherwise the newest paid invoice charged on-session with that card (3DS or
 *    `setup_credential_usage` on the charge), for a customer who changed cards since signing up;
 * 3. otherwise the card's setup (a SetupIntent's SetupAttempt), where a customer who started with a
 *    free trial authenticated: their first invoice asked for nothing, so no payment holds it;
 * 4. otherwise null: another card's NTI or authentication must not be sent with this card.
 *
 * When the failed card is unknown (no charge was made), the first payment is taken as is.
 * `invoices` are the subscription's invoices in any order; `excludeInvoiceId` is the failed one.
 */
export async function findOriginalPayment(
  stripe: Stripe,
  input: { invoices: readonly Stripe.Invoice[]; failedCard: CardRef | null; excludeInvoiceId: string },
): Promise<OriginalAuthentication | null> {
  const paid = input.invoices
    .filter((inv) => inv.status === 'paid' && inv.id !== input.excludeInvoiceId)
    .sort((a, b) => a.created - b.created);
  const matches = (charge: Stripe.Charge) => sameCard(charge, input.failedCard);

  for (const invoice of paid.filter((inv) => inv.billing_reason === 'subscription_create')) {
    const charge = await paidCharge(stripe, invoice.id);
    if (charge && (input.failedCard === null || matches(charge))) return authenticationOf(charge);
  }
  const later = paid
    .filter((inv) => inv.billing_reason !== 'subscription_create')
    .reverse()
    .slice(0, LATER_CIT_LOOKUPS);
  for (const invoice of later) {
    const charge = await paidCharge(stripe, invoice.id);
    if (charge && isCustomerInitiated(charge) && matches(charge)) return authenticationOf(charge);
  }
  const paymentMethodId = input.failedCard?.paymentMethodId;
  return paymentMethodId ? findCardSetup(stripe, paymentMethodId) : null;
}

/**
 * The succeeded charge that paid the invoice, through its paid InvoicePayment (basil+): one request,
 * the payment's PaymentIntent and its latest charge expanded (four levels, Stripe's limit).
 */
async function paidCharge(stripe: Stripe, invoiceId: string): Promise<Stripe.Charge | null> {
  const payments = await stripeCall(`list paid payments of invoice ${invoiceId}`, () =>
    stripe.invoicePayments.list({
      invoice: invoiceId,
      status: 'paid',
      limit: 10,
      expand: ['data.payment.payment_intent.latest_charge', 'data.payment.charge'],
    }),
  );
  for (const payment of payments.data) {
    const pi = payment.payment.payment_intent;
    const charge = pi ? await latestChargeOf(stripe, pi) : await chargeOf(stripe, payment.payment.charge);
    if (charge?.status === 'succeeded') return charge;
  }
  return null;
}

async function latestChargeOf(
  stripe: Stripe,
  pi: string | Stripe.PaymentIntent,
): Promise<Stripe.Charge | null> {
  const intent =
    typeof pi === 'string'
      ? await stripeCall(`retrieve payment intent ${pi}`, () =>
          stripe.paymentIntents.retrieve(pi, { expand: ['latest_charge'] }),
        )
      : pi;
  return chargeOf(stripe, intent.latest_charge);
}

/** A charge as expanded, else read (an id that came back unexpanded). */
async function chargeOf(
  stripe: Stripe,
  charge: string | Stripe.Charge | null | undefined,
): Promise<Stripe.Charge | null> {
  if (!charge) return null;
  if (typeof charge !== 'string') return charge;
  return stripeCall(`retrieve charge ${charge}`, () => stripe.charges.retrieve(charge));
}

function sameCard(charge: Stripe.Charge, card: CardRef | null): boolean {
  if (!card) return false;
  if (card.paymentMethodId && charge.payment_method === card.paymentMethodId) return true;
  const fingerprint = charge.payment_method_details?.card?.fingerprint;
  return Boolean(card.fingerprint && fingerprint && fingerprint === card.fingerprint);
}

/** On-session: authenticated, or the payment that saved the card for later off-session use. */
function isCustomerInitiated(charge: Stripe.Charge): boolean {
  const card = charge.payment_method_details?.card;
  if (!card || card.stored_credential_usage) return false;
  return card.three_d_secure != null || card.setup_credential_usage != null;
}

function authenticationOf(charge: Stripe.Charge): OriginalAuthentication {
  const card = charge.payment_method_details?.card;
  const tds = card?.three_d_secure ?? null;
  return {
    source: { kind: 'payment', id: charge.id },
    networkTransactionId: card?.network_transaction_id ?? null,
    threeDSecure: tds ? threeDSecureDetailsOf(tds, card?.electronic_commerce_indicator ?? null) : null,
  };
}
