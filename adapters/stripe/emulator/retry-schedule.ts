import type Stripe from 'stripe';
import type { EmulatorContext, InvoiceState } from './emulator-store.js';
import { DAY_SECONDS, HOUR_SECONDS } from './time.js';

/**
 * When Stripe would next try to collect an open invoice. Retries are counted from the first failure
 * (`retryAnchor`) using the configured schedule in days. A renewal is retried; the first invoice of a
 * subscription is not (an incomplete subscription waits for the customer instead).
 */
export function scheduledAttemptAt(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
): number | null {
  if (invoice.status !== 'open' || state.exhausted) return null;
  if (invoice.attempt_count === 0) return state.firstAttemptAt;
  if (invoice.billing_reason === 'subscription_create' || state.retryAnchor === null) return null;
  const days = ctx.settings.retrySchedule[state.retriesDone];
  return days === undefined ? null : state.retryAnchor + Math.round(days * DAY_SECONDS);
}

/** `next_payment_attempt` is only set while Stripe drives the invoice (`auto_advance: true`). */
export function refreshNextPaymentAttempt(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
): void {
  invoice.next_payment_attempt = invoice.auto_advance ? scheduledAttemptAt(ctx, invoice, state) : null;
}

/**
 * Re-enabling `auto_advance` after a hold: the retry clock was paused, so the remaining schedule is
 * shifted to resume an hour from now (the same delay Stripe leaves before a subscription invoice's
 * first attempt). Retries whose time is still ahead keep it.
 */
export function rearmAfterHold(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
  now: number,
): void {
  if (invoice.attempt_count === 0) {
    if (state.firstAttemptAt === null || state.firstAttemptAt < now)
      state.firstAttemptAt = now + HOUR_SECONDS;
  } else {
    const next = scheduledAttemptAt(ctx, invoice, state);
    if (next !== null && next < now && state.retryAnchor !== null) {
      state.retryAnchor += now + HOUR_SECONDS - next;
    }
  }
  refreshNextPaymentAttempt(ctx, invoice, state);
}

/** Retries left after the latest failure: none once the schedule is used up. */
export function retriesRemain(ctx: EmulatorContext, state: InvoiceState): boolean {
  return state.retriesDone < ctx.settings.retrySchedule.length;
}
