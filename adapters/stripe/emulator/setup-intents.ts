import type Stripe from 'stripe';
import { type EmulatorContext, mustGet } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { invalidRequest } from './errors.js';
import { emitEvent } from './event-log.js';
import { base62, uuid } from './ids.js';
import { buildSetupAttempt } from './objects/setup-intent.js';
import { attachPaymentMethod } from './payment-method-factory.js';
import { testCardByKey } from './test-cards.js';

export const newSetupIntentId = () => `seti_1${base62(23)}`;
const newSetupAttemptId = () => `setatt_1${base62(23)}`;

/**
 * Confirms a SetupIntent with a card, as a customer on the merchant's page would (a trial signup or a
 * card change): cards that need 3-D Secure authenticate (the emulator has no browser, so it always
 * completes), the card is attached to the customer and, for `off_session` usage, set up so later
 * off-session charges go through. Every confirmation leaves a SetupAttempt.
 */
export function confirmSetupIntent(
  ctx: EmulatorContext,
  intent: Stripe.SetupIntent,
  at: number,
  origin: EventOrigin,
): Stripe.SetupIntent {
  if (intent.status !== 'requires_confirmation' && intent.status !== 'requires_payment_method') {
    throw invalidRequest(`You cannot confirm this SetupIntent because it has a status of ${intent.status}.`, {
      code: 'setup_intent_unexpected_state',
    });
  }
  const pmId = typeof intent.payment_method === 'string' ? intent.payment_method : null;
  if (!pmId) {
    throw invalidRequest(
      'You cannot confirm this SetupIntent because it has no payment method; pass `payment_method`.',
      { code: 'setup_intent_unexpected_state', param: 'payment_method' },
    );
  }
  const pm = mustGet(ctx.store.paymentMethods, pmId, 'PaymentMethod', 'payment_method');
  if (typeof intent.customer === 'string') attachPaymentMethod(ctx, pm, intent.customer, at, origin);
  const state = ctx.store.cards.get(pm.id);
  const behaviour = testCardByKey(state?.testCardKey ?? '')?.behaviour;
  const flow = behaviour?.kind === 'three_d_secure' ? behaviour.flow : null;
  if (state && intent.usage === 'off_session') state.setUpForOffSession = true;

  const attempt = buildSetupAttempt({
    id: newSetupAttemptId(),
    created: at,
    setupIntent: intent,
    paymentMethod: pm,
    threeDSecure: flow ? { flow, transactionId: uuid() } : null,
  });
  ctx.store.setupAttempts.set(attempt.id, attempt);
  intent.status = 'succeeded';
  intent.latest_attempt = attempt.id;
  emitEvent(ctx, 'setup_intent.succeeded', intent, origin, at);
  return intent;
}
