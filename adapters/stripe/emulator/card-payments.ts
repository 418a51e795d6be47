import type Stripe from 'stripe';
import { decideCardCharge } from './card-decision.js';
import { type DeclineSpec, declineSpec } from './decline-codes.js';
import { copy, type EmulatorContext } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { emitEvent } from './event-log.js';
import { base62, digits, newId, uuid } from './ids.js';
import { buildCharge, type ChargeResult } from './objects/charge.js';
import { testCardByKey } from './test-cards.js';

export const STATEMENT_DESCRIPTOR = 'STRIPE EMULATOR';

export interface CardPaymentAttempt {
  paymentIntent: Stripe.PaymentIntent;
  paymentMethod: Stripe.PaymentMethod;
  offSession: boolean;
  /** A subscription renewal charged off-session: marks the charge `stored_credential_usage: recurring`. */
  recurringMit: boolean;
  /**
   * Taken by mail or telephone (`payment_method_options[card][moto]` on confirm): out of scope for
   * SCA, so a card that wants 3-D Secure is charged without it. Recorded on the charge.
   */
  moto?: boolean;
  origin: EventOrigin;
  at: number;
}

export interface CardPaymentOutcome {
  charge: Stripe.Charge;
  decline: DeclineSpec | null;
}

/**
 * Confirms a PaymentIntent with a card: creates the Charge, moves the PaymentIntent to `succeeded` or
 * back to `requires_payment_method` with `last_payment_error`, and emits the charge and payment-intent
 * events. Successful charges carry a network transaction id; declines don't.
 */
export function attemptCardPayment(ctx: EmulatorContext, attempt: CardPaymentAttempt): CardPaymentOutcome {
  const { paymentIntent: pi, paymentMethod: pm, at, origin } = attempt;
  const cardState = ctx.store.cards.get(pm.id);
  const testCard = cardState ? testCardByKey(cardState.testCardKey) : undefined;
  if (!cardState || !testCard) throw new Error(`payment method ${pm.id} has no card state`);
  const decision = decideCardCharge(testCard, cardState, attempt.offSession && !attempt.moto);
  const threeDSecure =
    decision.threeDSecureFlow && !attempt.moto
      ? { flow: decision.threeDSecureFlow, transactionId: uuid() }
      : null;
  const decline = decision.approved ? null : declineSpec(decision.declineCode ?? 'generic_decline');
  const result: ChargeResult = decline
    ? { status: 'failed', decline, threeDSecure }
    : {
        status: 'succeeded',
        networkTransactionId: networkTransactionId(pm.card?.brand ?? 'visa'),
        authorizationCode: digits(6),
        threeDSecure,
      };
  const charge = buildCharge({
    id: newId('charge'),
    created: at,
    amount: pi.amount,
    currency: pi.currency,
    customer: String(pi.customer),
    description: pi.description,
    paymentIntent: pi.id,
    paymentMethod: pm,
    recurringMit: attempt.recurringMit,
    moto: attempt.moto ?? false,
    statementDescriptor: STATEMENT_DESCRIPTOR,
    result,
  });
  ctx.store.charges.set(charge.id, charge);

  pi.payment_method = pm.id;
  pi.latest_charge = charge.id;
  if (decline) {
    pi.status = 'requires_payment_method';
    pi.last_payment_error = lastPaymentError(decline, charge.id, pm);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.last_payment_error = null;
    if (!attempt.offSession && pi.setup_future_usage === 'off_session') cardState.setUpForOffSession = true;
  }
  emitEvent(ctx, decline ? 'charge.failed' : 'charge.succeeded', charge, origin, at);
  emitEvent(ctx, decline ? 'payment_intent.payment_failed' : 'payment_intent.succeeded', pi, origin, at);
  return { charge, decline };
}

function lastPaymentError(
  decline: DeclineSpec,
  chargeId: string,
  pm: Stripe.PaymentMethod,
): Stripe.PaymentIntent.LastPaymentError {
  const error: Stripe.PaymentIntent.LastPaymentError = {
    type: 'card_error',
    code: decline.failureCode as Stripe.PaymentIntent.LastPaymentError.Code,
    decline_code: decline.declineCode,
    charge: chargeId,
    doc_url: `https://stripe.com/docs/error-codes/${decline.failureCode.replaceAll('_', '-')}`,
    message: decline.message,
    payment_method: copy(pm),
    payment_method_type: 'card',
  };
  if (decline.adviceCode) error.advice_code = decline.adviceCode;
  if (decline.networkDeclineCode) error.network_decline_code = decline.networkDeclineCode;
  return error;
}

/** Visa/Amex/Discover: 15 digits; Mastercard: a Banknet reference plus settlement date (MMDD). */
function networkTransactionId(brand: string): string {
  if (brand === 'mastercard') return `MCC${base62(6).toUpperCase()}${digits(4)}`;
  return digits(15);
}
