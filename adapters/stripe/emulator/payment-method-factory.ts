import type Stripe from 'stripe';
import { assertAttachable } from './card-decision.js';
import { type EmulatorContext, idOf, mustGet } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { cardError, invalidRequest, resourceMissing } from './errors.js';
import { emitEvent } from './event-log.js';
import { newId } from './ids.js';
import { type BillingDetailsFields, buildCardPaymentMethod } from './objects/payment-method.js';
import {
  luhnValid,
  type TestCard,
  testCardByKey,
  testCardByNumber,
  testCardByPaymentMethodId,
  testCardByToken,
} from './test-cards.js';

export interface CardInput {
  token?: string | undefined;
  number?: string | undefined;
  exp_month?: number | undefined;
  exp_year?: number | undefined;
  cvc?: string | undefined;
}

export const NO_BILLING_DETAILS: BillingDetailsFields = {
  name: null,
  email: null,
  phone: null,
  address: null,
};

/**
 * Creates a card PaymentMethod from `card[token]` or a test `card[number]` (the number only selects
 * the test card; it is not stored). Unknown numbers fail the way Stripe's test mode fails them.
 */
export function createCardPaymentMethod(
  ctx: EmulatorContext,
  input: CardInput,
  billingDetails: BillingDetailsFields,
  metadata: Record<string, string>,
  at: number,
): Stripe.PaymentMethod {
  if (input.token !== undefined) {
    const card = testCardByToken(input.token);
    if (!card) throw resourceMissing('token', input.token, 'card[token]');
    return storeCard(ctx, card, defaultExpiry(ctx), false, billingDetails, metadata, at);
  }
  if (input.number === undefined) {
    throw invalidRequest('Missing required param: card[number].', {
      code: 'parameter_missing',
      param: 'card[number]',
    });
  }
  const card = testCardByNumber(input.number);
  if (!card) throw unknownCardNumber(input.number.replaceAll(/[\s-]/g, ''));
  for (const part of ['exp_month', 'exp_year'] as const) {
    if (input[part] === undefined) {
      throw invalidRequest(`Missing required param: card[${part}].`, {
        code: 'parameter_missing',
        param: `card[${part}]`,
      });
    }
  }
  const expiry = { month: input.exp_month ?? 0, year: input.exp_year ?? 0 };
  assertValidExpiry(ctx, expiry);
  return storeCard(ctx, card, expiry, input.cvc !== undefined, billingDetails, metadata, at);
}

/** `pm_card_visa` and friends: every use makes a fresh PaymentMethod, as on Stripe. */
export function materializeTestPaymentMethod(
  ctx: EmulatorContext,
  id: string,
  at: number,
): Stripe.PaymentMethod | null {
  const card = testCardByPaymentMethodId(id);
  return card ? storeCard(ctx, card, defaultExpiry(ctx), true, NO_BILLING_DETAILS, {}, at) : null;
}

/** Attaches to a customer; Stripe validates the card here, so always-declining test cards fail. */
export function attachPaymentMethod(
  ctx: EmulatorContext,
  pm: Stripe.PaymentMethod,
  customerId: string,
  at: number,
  origin: EventOrigin,
): void {
  mustGet(ctx.store.customers, customerId, 'customer', 'customer');
  const attachedTo = idOf(pm.customer);
  if (attachedTo === customerId) return;
  if (attachedTo !== null) {
    throw invalidRequest(
      'The payment method you provided has already been attached to a customer. To use this PaymentMethod, first detach it from the customer.',
      { code: 'payment_method_unexpected_state' },
    );
  }
  const card = testCardByKey(ctx.store.cards.get(pm.id)?.testCardKey ?? '');
  if (card) assertAttachable(card);
  pm.customer = customerId;
  emitEvent(ctx, 'payment_method.attached', pm, origin, at);
}

function storeCard(
  ctx: EmulatorContext,
  card: TestCard,
  expiry: { month: number; year: number },
  cvcChecked: boolean,
  billingDetails: BillingDetailsFields,
  metadata: Record<string, string>,
  at: number,
): Stripe.PaymentMethod {
  const pm = buildCardPaymentMethod({
    id: newId('payment_method'),
    created: at,
    card,
    expMonth: expiry.month,
    expYear: expiry.year,
    cvcChecked,
    billingDetails,
    metadata,
  });
  ctx.store.paymentMethods.set(pm.id, pm);
  ctx.store.cards.set(pm.id, { testCardKey: card.key, setUpForOffSession: false });
  return pm;
}

/** Test tokens and `pm_card_*` ids expire in the current month three years from now. */
function defaultExpiry(ctx: EmulatorContext): { month: number; year: number } {
  const now = ctx.clock.now();
  return { month: now.getUTCMonth() + 1, year: now.getUTCFullYear() + 3 };
}

function assertValidExpiry(ctx: EmulatorContext, expiry: { month: number; year: number }): void {
  const now = ctx.clock.now();
  const fail = (code: 'invalid_expiry_month' | 'invalid_expiry_year', message: string, param: string) =>
    cardError({ code, declineCode: code, message, adviceCode: null, networkDeclineCode: null, param });
  if (expiry.month < 1 || expiry.month > 12) {
    throw fail('invalid_expiry_month', "Your card's expiration month is invalid.", 'card[exp_month]');
  }
  const year = expiry.year < 100 ? 2000 + expiry.year : expiry.year;
  const expired =
    year < now.getUTCFullYear() || (year === now.getUTCFullYear() && expiry.month < now.getUTCMonth() + 1);
  if (expired || year > now.getUTCFullYear() + 50) {
    throw fail('invalid_expiry_year', "Your card's expiration year is invalid.", 'card[exp_year]');
  }
}

function unknownCardNumber(cardNumber: string) {
  if (!luhnValid(cardNumber)) {
    return cardError({
      code: 'incorrect_number',
      declineCode: 'incorrect_number',
      message: 'Your card number is incorrect.',
      adviceCode: null,
      networkDeclineCode: null,
      param: 'card[number]',
    });
  }
  return cardError({
    code: 'card_declined',
    declineCode: 'test_mode_live_card',
    message:
      'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
    adviceCode: null,
    networkDeclineCode: null,
  });
}
