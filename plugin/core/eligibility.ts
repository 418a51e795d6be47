import type { RenewalFailure } from './billing-engine.js';
import type { MerchantPolicy } from './merchant-policy.js';
import type { MerchantFlow } from './merchant-settings.js';
import type { IneligibleReason } from './rescue-states.js';

/** A declined renewal leaves the subscription `past_due` (or still `active` while Stripe retries). */
const RESCUABLE_SUBSCRIPTION_STATUSES: ReadonlySet<string> = new Set(['active', 'past_due', 'unpaid']);
/** A declined first invoice leaves a new subscription `incomplete` until it is paid or expires. */
const RESCUABLE_FIRST_PAYMENT_STATUSES: ReadonlySet<string> = new Set(['incomplete', 'active', 'trialing']);

export type Eligibility = { eligible: true } | { eligible: false; reason: IneligibleReason; detail: string };

/**
 * Whether a failed payment may be handed to FlexCharge under its flow: for MIT, an off-session
 * renewal the engine itself attempted; for CIT, the subscription's first payment made by the
 * customer. Either seen fresh, for an amount the provider takes, with a decline that may be retried.
 * Checked in this order so the reason shown is the most basic one.
 */
export function checkEligibility(
  renewal: RenewalFailure,
  flow: MerchantFlow,
  policy: MerchantPolicy,
  context: {
    now: Date;
    firstSeenAt: Date;
    acceptsAmount: (amount: number, currency: string) => boolean;
    hasCardToken: boolean;
  },
): Eligibility {
  const no = (reason: IneligibleReason, detail: string): Eligibility => ({ eligible: false, reason, detail });

  if (renewal.invoiceStatus !== 'open') return no('invoice_not_open', `invoice is ${renewal.invoiceStatus}`);
  if (flow !== 'mit' && renewal.billingReason !== 'subscription_create') {
    return no(
      'not_a_renewal',
      `billing reason is ${renewal.billingReason ?? 'unknown'}: only a subscription's first payment is handed over as CIT`,
    );
  }
  const subscription = renewal.subscription;
  const rescuable = flow === 'mit' ? RESCUABLE_SUBSCRIPTION_STATUSES : RESCUABLE_FIRST_PAYMENT_STATUSES;
  if (!rescuable.has(subscription.status) || subscription.collectionPaused) {
    return no(
      'subscription_not_active',
      subscription.collectionPaused
        ? "the subscription's collection is paused"
        : `the subscription is ${subscription.status}`,
    );
  }
  const notMit = flow === 'mit' ? checkMitRenewal(renewal) : null;
  if (notMit) return notMit;

  const age = context.firstSeenAt.getTime() - renewal.failedAt.getTime();
  if (age > policy.freshnessWindowMs) {
    return no(
      'stale_failure',
      `failed ${Math.round(age / 3_600_000)}h before it reached us; FlexCharge wants same-day`,
    );
  }
  const { amount, currency } = renewal.amountDue;
  if (!context.acceptsAmount(amount, currency)) {
    return no('amount_out_of_range', `${amount} ${currency} is outside the range FlexCharge accepts`);
  }
  const codes = [
    renewal.failedPayment.declineCode,
    renewal.failedPayment.code,
    renewal.failedPayment.networkDeclineCode,
  ];
  const forbidden = codes.find((c) => c && policy.noRetryDeclineCodes.has(c));
  if (forbidden) return no('no_retry_decline', `decline ${forbidden} must not be retried`);
  if (!context.hasCardToken) {
    return no(
      'no_card_token',
      'no FlexCharge token is registered for the card (admin API or payment method metadata)',
    );
  }
  return { eligible: true };
}

/** An off-session renewal the engine made itself, on its first attempt; null when it is one. */
function checkMitRenewal(renewal: RenewalFailure): Eligibility | null {
  const no = (reason: IneligibleReason, detail: string): Eligibility => ({ eligible: false, reason, detail });
  if (renewal.billingReason !== 'subscription_cycle') {
    return no(
      'not_a_renewal',
      `billing reason is ${renewal.billingReason ?? 'unknown'}, not subscription_cycle`,
    );
  }
  if (!renewal.automaticCollection)
    return no('not_automatic_collection', 'the invoice is not charged automatically');
  if (!renewal.engineInitiated)
    return no('not_off_session', 'the failed attempt was made through the API, not by the engine');
  if (renewal.attemptCount !== 1)
    return no('not_first_failure', `attempt ${renewal.attemptCount}: the engine has already retried`);
  return null;
}
