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
 * Re-enabling `auto_advance` after a hold. What Stripe does with the retries whose time passed during
 * the hold is undocumented, so `releaseRetry` picks (README "After a hold"): `rearm` shifts the rest
 * of the schedule to resume an hour from now (the delay Stripe leaves before a subscription invoice's
 * first attempt); `none` and `final_action` drop them, and once none is left Stripe makes no further
 * attempt, or at once takes the end-of-dunning action. Retries whose time is still ahead keep it. An
 * invoice never attempted gets its first attempt an hour later whatever the setting.
 *
 * Returns true when the end-of-dunning action is due now; the caller takes it once it has recorded
 * the update itself.
 */
export function resumeAfterHold(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  state: InvoiceState,
  now: number,
): boolean {
  const mode = ctx.settings.releaseRetry;
  let finalActionDue = false;
  if (invoice.attempt_count === 0) {
    if (state.firstAttemptAt === null || state.firstAttemptAt < now)
      state.firstAttemptAt = now + HOUR_SECONDS;
  } else if (mode === 'rearm') {
    const next = scheduledAttemptAt(ctx, invoice, state);
    if (next !== null && next < now && state.retryAnchor !== null) {
      state.retryAnchor += now + HOUR_SECONDS - next;
    }
  } else {
    const passed = () => (scheduledAttemptAt(ctx, invoice, state) ?? now) < now;
    while (passed()) state.retriesDone += 1;
    if (!state.exhausted && invoice.status === 'open' && !retriesRemain(ctx, state)) {
      state.exhausted = true;
      finalActionDue = mode === 'final_action';
    }
  }
  refreshNextPaymentAttempt(ctx, invoice, state);
  return finalActionDue;
}

/** Retries left after the latest failure: none once the schedule is used up. */
export function retriesRemain(ctx: EmulatorContext, state: InvoiceState): boolean {
  return state.retriesDone < ctx.settings.retrySchedule.length;
}
