import type Stripe from 'stripe';
import { copy, type EmulatorContext } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { emitUpdated } from './event-log.js';

/**
 * Derives a subscription's status from its most recent non-void invoice, as Stripe does: paid or
 * uncollectible → active; a failed renewal → past_due (an `unpaid` subscription stays unpaid until
 * paid); a failed first invoice keeps the subscription incomplete. Ended subscriptions don't move.
 * Emits `customer.subscription.updated` when the status changes.
 */
export function syncSubscriptionStatus(
  ctx: EmulatorContext,
  subscriptionId: string,
  at: number,
  origin: EventOrigin,
): void {
  const sub = ctx.store.subscriptions.get(subscriptionId);
  if (!sub || sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
  const latest = latestCountedInvoice(ctx, subscriptionId);
  if (!latest) return;
  const next = statusFor(sub, latest);
  if (next === sub.status) return;
  const before = copy(sub);
  sub.status = next;
  if (ctx.store.subscriptionStates.get(subscriptionId)?.announced === false) return;
  emitUpdated(ctx, 'customer.subscription.updated', before, sub, origin, at);
}

function statusFor(sub: Stripe.Subscription, latest: Stripe.Invoice): Stripe.Subscription.Status {
  if (latest.status === 'paid' || latest.status === 'uncollectible') return 'active';
  if (latest.status !== 'open' || !latest.attempted) return sub.status;
  if (latest.billing_reason === 'subscription_create') return 'incomplete';
  return sub.status === 'unpaid' ? 'unpaid' : 'past_due';
}

function latestCountedInvoice(ctx: EmulatorContext, subscriptionId: string): Stripe.Invoice | undefined {
  let latest: Stripe.Invoice | undefined;
  for (const invoice of ctx.store.invoicesOfSubscription(subscriptionId)) {
    if (invoice.status === 'void' || invoice.status === 'draft') continue;
    latest = invoice;
  }
  return latest;
}
