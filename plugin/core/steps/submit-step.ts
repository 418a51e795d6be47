import { ProviderError } from '../errors.js';
import { isCustomerInitiated } from '../flow-choice.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { MIN_RESCUE_WINDOW_MS } from '../rescue-expiry.js';
import type { RescueDecision } from '../rescue-provider.js';
import {
  cardTokenFor,
  later,
  loadRenewal,
  nextPoll,
  pastDeadline,
  reasonToStop,
  rescueExpiry,
  rescueSite,
  type StepContext,
} from './step-context.js';

/** How soon to ask again when FlexCharge answered without an order id we could follow. */
const REASK_MS = 3_600_000;

/** `evaluating`: the invoice is held; hand the renewal to FlexCharge (/evaluate) and follow its answer. */
export async function submitToProvider(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  // FlexCharge's own event named the order our lost evaluate answer would have named: follow it.
  if (rescue.providerOrderId && rescue.orderOpen) {
    return {
      to: waitingState(rescue),
      note: 'FlexCharge named the order in its webhook: following it',
      nextActionAt: ctx.now,
    };
  }
  if (pastDeadline(rescue, ctx)) {
    return { to: 'releasing', note: 'expired before FlexCharge named an order', nextActionAt: ctx.now };
  }
  const renewal = await loadRenewal(rescue, ctx);
  const stop = reasonToStop({
    status: renewal.invoiceStatus,
    subscriptionStatus: renewal.subscription.status,
  });
  if (stop) return { to: 'cancelling', note: `${stop} before evaluate`, nextActionAt: ctx.now };
  const token = await cardTokenFor(renewal, ctx);
  if (!token) {
    return { to: 'releasing', note: 'card token disappeared before evaluate', nextActionAt: ctx.now };
  }

  const expiresAt = isCustomerInitiated(rescue.flow)
    ? (rescue.expiresAt ?? later(ctx.now, ctx.policy.challengeWindowMs))
    : expiryToSend(rescue, renewal.failedAt, ctx);
  // From here FlexCharge may have an order for this invoice, whether or not its answer reaches us.
  if (!rescue.orderOpen) await ctx.checkpoint({ orderOpen: true, expiresAt });
  let decision: RescueDecision;
  try {
    decision = await ctx.provider.submitRenewal({
      rescueId: rescue.id,
      merchantOrderId: rescue.invoiceId,
      renewal,
      cardToken: token,
      expiresAt,
      flow: rescue.flow,
      ...rescueSite(rescue, renewal, ctx),
    });
  } catch (err) {
    // A request refused as invalid created no order: nothing is left at FlexCharge to wait for.
    if (
      err instanceof ProviderError &&
      !err.retryable &&
      err.statusCode !== undefined &&
      err.statusCode < 500
    )
      await ctx.checkpoint({ orderOpen: false });
    throw err;
  }
  return follow(decision, rescue, ctx, expiresAt);
}

function follow(decision: RescueDecision, rescue: Rescue, ctx: StepContext, expiresAt: Date): StepOutcome {
  const waiting = { ...rescue, expiresAt };
  /** FlexCharge has an order for the renewal: wait for its outcome, the hold in place. */
  const following = (orderId: string, providerStatus: string, why: string): StepOutcome => ({
    to: waitingState(rescue),
    note: `${why} (${providerStatus})`,
    patch: { providerOrderId: orderId, providerStatus, expiresAt, orderOpen: true },
    nextActionAt: nextPoll(waiting, ctx),
  });
  switch (decision.status) {
    case 'submitted':
      return following(decision.orderId, decision.providerStatus, 'FlexCharge is working the renewal');
    case 'approved':
      return {
        to: 'approved',
        note: 'FlexCharge approved at once',
        patch: {
          providerOrderId: decision.orderId,
          providerStatus: 'APPROVED',
          confirmationId: decision.confirmationId,
          collectedAmount: decision.collected?.amount ?? null,
          expiresAt,
          orderOpen: false,
          outcomeAt: ctx.now,
        },
        nextActionAt: ctx.now,
      };
    case 'declined':
      return {
        to: 'releasing',
        note: `FlexCharge declined the rescue (${decision.providerStatus}): releasing the hold`,
        patch: {
          providerOrderId: decision.orderId,
          providerStatus: decision.providerStatus,
          expiresAt,
          orderOpen: false,
          releaseAs: 'declined',
          outcomeAt: ctx.now,
        },
        nextActionAt: ctx.now,
      };
    case 'challenge':
    case 'unknown': {
      // Not a decline: FlexCharge may be working the order. Follow it like a submitted one (a CIT
      // waits as `challenged`); without an order id, the same evaluate (same key) is asked again
      // later for the order's state. A CHALLENGE is the customer's to complete in the merchant's
      // checkout: the key it is presented with is kept and shown to the merchant.
      const sessionKey = decision.status === 'challenge' ? { orderSessionKey: decision.orderSessionKey } : {};
      if (decision.orderId) {
        const followed = following(
          decision.orderId,
          decision.providerStatus,
          'following the order until its real outcome',
        );
        return { ...followed, patch: { ...followed.patch, ...sessionKey } };
      }
      return {
        to: null,
        note: `FlexCharge answered ${decision.providerStatus} without an order id: asking again`,
        patch: { providerStatus: decision.providerStatus, expiresAt, ...sessionKey },
        nextActionAt: later(ctx.now, REASK_MS),
      };
    }
  }
}

/**
 * The expiry is fixed once, so a retried evaluate sends the same body (and key). Only while no
 * evaluate can have reached FlexCharge yet is it renewed, should an outage have eaten into the
 * two-week minimum since the hold.
 */
function expiryToSend(rescue: Rescue, failedAt: Date, ctx: StepContext): Date {
  const fixed = rescue.expiresAt;
  if (fixed && (rescue.orderOpen || fixed.getTime() - ctx.now.getTime() >= MIN_RESCUE_WINDOW_MS))
    return fixed;
  return rescueExpiry(failedAt, ctx.now, ctx.policy.expiryDays);
}

/** Where a rescue waits for FlexCharge's outcome: `held` for a renewal, `challenged` for a CIT. */
function waitingState(rescue: Rescue): 'held' | 'challenged' {
  return isCustomerInitiated(rescue.flow) ? 'challenged' : 'held';
}
