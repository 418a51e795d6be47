import type Stripe from 'stripe';
import { copy, type EmulatorContext } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { emitEvent } from './event-log.js';
import { previousAttributes } from './object-diff.js';

export interface CancelDetails {
  reason: Stripe.Subscription.CancellationDetails.Reason;
  comment?: string | null;
  feedback?: Stripe.Subscription.CancellationDetails.Feedback | null;
}

/**
 * Ends a subscription now: `canceled`, `canceled_at`/`ended_at`, `customer.subscription.deleted`.
 * Open invoices are left as they are (Stripe keeps collecting them unless they are voided).
 */
export function cancelSubscriptionNow(
  ctx: EmulatorContext,
  sub: Stripe.Subscription,
  details: CancelDetails,
  at: number,
  origin: EventOrigin,
): void {
  const before = copy(sub);
  sub.status = 'canceled';
  sub.canceled_at = at;
  sub.ended_at = at;
  sub.cancel_at_period_end = false;
  sub.cancellation_details = {
    comment: details.comment ?? null,
    feedback: details.feedback ?? null,
    feedback_option: null,
    reason: details.reason,
  };
  emitEvent(ctx, 'customer.subscription.deleted', sub, origin, at, previousAttributes(before, sub));
}
