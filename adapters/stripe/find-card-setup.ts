import type Stripe from 'stripe';
import type { OriginalAuthentication } from '../../plugin/core/billing-engine.js';
import { stripeCall } from './map-stripe-error.js';
import { threeDSecureDetailsOf } from './three-d-secure-details.js';

/**
 * The customer's authentication when the card was saved without a payment, e.g. for a free trial,
 * whose first invoice asks for nothing: the newest succeeded SetupIntent of the card and its
 * succeeded SetupAttempt, which holds the 3-D Secure of that setup. A setup has no network
 * transaction id. Null when the card was never set up that way.
 */
export async function findCardSetup(
  stripe: Stripe,
  paymentMethodId: string,
): Promise<OriginalAuthentication | null> {
  const intents = await stripeCall(`list setup intents of payment method ${paymentMethodId}`, () =>
    stripe.setupIntents.list({ payment_method: paymentMethodId, limit: 10 }),
  );
  const intent = intents.data.find((candidate) => candidate.status === 'succeeded');
  if (!intent) return null;
  const attempts = await stripeCall(`list setup attempts of setup intent ${intent.id}`, () =>
    stripe.setupAttempts.list({ setup_intent: intent.id, limit: 10 }),
  );
  const attempt = attempts.data.find((candidate) => candidate.status === 'succeeded');
  if (!attempt) return null;
  const tds = attempt.payment_method_details.card?.three_d_secure ?? null;
  return {
    source: { kind: 'setup', id: attempt.id },
    networkTransactionId: null,
    threeDSecure: tds ? threeDSecureDetailsOf(tds) : null,
  };
}
