import type { BillingEngineAdapter } from './billing-engine.js';
import { DAY_MS } from './clock.js';
import { checkEligibility } from './eligibility.js';
import type { MerchantPolicy } from './merchant-policy.js';
import type { Rescue, StepOutcome } from './rescue.js';
import type { RescueProvider } from './rescue-provider.js';

export interface StepContext {
  readonly engine: BillingEngineAdapter;
  readonly provider: RescueProvider & { acceptsAmount(amount: number, currency: string): boolean };
  readonly policy: MerchantPolicy;
  readonly now: Date;
  /** The FlexCharge token registered for an engine payment method, if any. */
  findCardToken(paymentMethodId: string): Promise<string | null>;
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms);

/**
 * One step of a rescue, chosen by its state. Every step re-reads the engine before it decides, so a
 * webhook is only ever a hint; each outside call carries a key derived from the rescue id.
 */
export async function runRescueStep(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  switch (rescue.state) {
    case 'received':
      return checkAndPrepare(rescue, ctx);
    case 'evaluating':
      return submit(rescue, ctx);
    case 'holding':
      return hold(rescue, ctx);
    case 'held':
      return poll(rescue, ctx);
    case 'approved':
      return writeBack(rescue, ctx);
    case 'releasing':
      return release(rescue, ctx);
    case 'cancelling':
      return cancel(rescue, ctx);
    case 'refunding':
      return refund(rescue, ctx);
    default:
      return { to: null, note: `nothing to do in ${rescue.state}`, nextActionAt: null };
  }
}

async function checkAndPrepare(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const renewal = await loadRenewal(rescue, ctx);
  const token = renewal.card
    ? (renewal.card.flexchargeToken ?? (await ctx.findCardToken(renewal.card.paymentMethodId)))
    : null;
  const verdict = checkEligibility(renewal, ctx.policy, {
    now: ctx.now,
    firstSeenAt: rescue.createdAt,
    acceptsAmount: (a, c) => ctx.provider.acceptsAmount(a, c),
    hasCardToken: token !== null,
  });
  const patch = {
    subscriptionId: renewal.subscription.id,
    customerId: renewal.customer.id,
    amount: renewal.amountDue,
    failedChargeId: renewal.failedPayment.chargeId,
    declineCode: renewal.failedPayment.declineCode ?? renewal.failedPayment.code,
    site: siteLabel(ctx, renewal.statementDescriptor),
  };
  if (!verdict.eligible) {
    return {
      to: 'ineligible',
      note: verdict.detail,
      patch: { ...patch, ineligibleReason: verdict.reason },
      nextActionAt: null,
      details: { reason: verdict.reason },
    };
  }
  return { to: 'evaluating', note: 'eligible for rescue', patch, nextActionAt: ctx.now };
}

async function submit(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const renewal = await loadRenewal(rescue, ctx);
  if (renewal.invoiceStatus !== 'open') {
    return {
      to: 'cancelled',
      note: `invoice became ${renewal.invoiceStatus} before evaluate`,
      nextActionAt: null,
    };
  }
  const token = renewal.card
    ? (renewal.card.flexchargeToken ?? (await ctx.findCardToken(renewal.card.paymentMethodId)))
    : null;
  if (!token)
    return {
      to: 'ineligible',
      note: 'card token disappeared',
      patch: { ineligibleReason: 'no_card_token' },
      nextActionAt: null,
    };

  // The expiry is fixed at the first attempt so a retried evaluate sends the same body.
  const expiresAt = rescue.expiresAt ?? later(rescue.createdAt, ctx.policy.expiryDays * DAY_MS);
  const decision = await ctx.provider.submitRenewal({
    rescueId: rescue.id,
    merchantOrderId: rescue.invoiceId,
    renewal,
    cardToken: token,
    expiresAt,
    site: ctx.policy.site,
  });
  switch (decision.status) {
    case 'submitted':
      return {
        to: 'holding',
        note: 'FlexCharge is working the renewal (SUBMITTED)',
        patch: { providerOrderId: decision.orderId, providerStatus: 'SUBMITTED', expiresAt },
        nextActionAt: ctx.now,
      };
    case 'approved':
      return {
        to: 'approved',
        note: 'FlexCharge approved at once',
        patch: {
          providerOrderId: decision.orderId,
          providerStatus: 'APPROVED',
          confirmationId: decision.confirmationId,
          expiresAt,
          outcomeAt: ctx.now,
        },
        nextActionAt: ctx.now,
      };
    case 'declined':
      return {
        to: 'declined',
        note: `FlexCharge declined the rescue (${decision.providerStatus})`,
        patch: { providerOrderId: decision.orderId, providerStatus: decision.providerStatus, expiresAt },
        nextActionAt: null,
      };
  }
}

async function hold(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const until = rescue.expiresAt ?? later(ctx.now, ctx.policy.expiryDays * DAY_MS);
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status !== 'open') {
    return {
      to: 'cancelling',
      note: `invoice became ${snapshot.status} before the hold`,
      nextActionAt: ctx.now,
    };
  }
  const { previousAutoAdvance } = await ctx.engine.holdRetries(rescue.invoiceId, {
    rescueId: rescue.id,
    until,
  });
  // A retry may have slipped in between the read and the hold.
  const after = await ctx.engine.invoiceStatus(rescue.invoiceId);
  const patch = { holdAppliedAt: ctx.now, previousAutoAdvance };
  if (after.status !== 'open') {
    return {
      to: 'cancelling',
      note: `invoice became ${after.status} while holding`,
      patch,
      nextActionAt: ctx.now,
    };
  }
  return { to: 'held', note: 'engine retries held', patch, nextActionAt: nextPoll(rescue, ctx) };
}

function nextPoll(rescue: Rescue, ctx: StepContext): Date {
  const poll = later(ctx.now, ctx.policy.pollIntervalMs).getTime();
  if (!rescue.expiresAt) return new Date(poll);
  // Look again at expiry, and once more when the grace after it ends.
  const expiry = rescue.expiresAt.getTime();
  const checkpoint = expiry > ctx.now.getTime() ? expiry : expiry + ctx.policy.expiryGraceMs;
  return new Date(checkpoint > ctx.now.getTime() ? Math.min(poll, checkpoint) : poll);
}

async function poll(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.providerOrderId)
    return { to: 'releasing', note: 'no FlexCharge order to wait for', nextActionAt: ctx.now };
  // Webhooks only wake a rescue; what happened is read here, from the engine first.
  const invoice = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (invoice.status !== 'open' || invoice.subscriptionStatus === 'canceled') {
    const why = invoice.status !== 'open' ? `invoice became ${invoice.status}` : 'subscription was cancelled';
    return { to: 'cancelling', note: `${why} while FlexCharge worked it`, nextActionAt: ctx.now };
  }
  const outcome = await ctx.provider.outcome(rescue.providerOrderId);
  switch (outcome.status) {
    case 'approved':
      return {
        to: 'approved',
        note: 'FlexCharge rescued the payment (confirmed by /outcome)',
        patch: { providerStatus: 'APPROVED', confirmationId: outcome.confirmationId, outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    case 'not_rescued':
      return {
        to: 'releasing',
        note: `FlexCharge did not rescue it (${outcome.providerStatus})`,
        patch: { providerStatus: outcome.providerStatus, outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    case 'refunded':
      return {
        to: 'releasing',
        note: 'FlexCharge order was refunded',
        patch: { providerStatus: 'RETURNED' },
        nextActionAt: ctx.now,
      };
    case 'not_found':
      throw new Error(`FlexCharge does not know order ${rescue.providerOrderId}`);
    case 'pending': {
      const deadline = rescue.expiresAt ? later(rescue.expiresAt, ctx.policy.expiryGraceMs) : null;
      if (deadline && ctx.now >= deadline) {
        // Past expiry with no final word: stop FlexCharge first, so it cannot collect after we release.
        await ctx.provider.cancel(rescue.providerOrderId, `expire-${rescue.id}`);
        return {
          to: 'releasing',
          note: 'expired without a final outcome: FlexCharge order cancelled, releasing the hold',
          patch: { providerStatus: 'CANCELLED', outcomeAt: ctx.now },
          nextActionAt: ctx.now,
        };
      }
      return {
        to: null,
        note: `still ${outcome.providerStatus}`,
        patch: { providerStatus: outcome.providerStatus },
        nextActionAt: nextPoll(rescue, ctx),
      };
    }
  }
}

async function writeBack(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new Error('approved rescue lacks its amount or order id');
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status === 'paid' && snapshot.paidByRescueId === rescue.id) {
    return {
      to: 'recovered',
      note: 'invoice already marked paid by this rescue',
      patch: { writtenBackAt: ctx.now },
      nextActionAt: null,
    };
  }
  if (snapshot.status !== 'open') {
    return {
      to: 'refunding',
      note: `FlexCharge collected but the invoice is ${snapshot.status}: refunding`,
      nextActionAt: ctx.now,
    };
  }
  const result = await ctx.engine.recordRecoveredPayment(rescue.invoiceId, {
    rescueId: rescue.id,
    amount: rescue.amount,
    providerOrderId: rescue.providerOrderId,
    confirmationId: rescue.confirmationId,
    recoveredAt: ctx.now,
  });
  if (result === 'paid_elsewhere') {
    return { to: 'refunding', note: 'invoice was paid elsewhere first: refunding', nextActionAt: ctx.now };
  }
  return {
    to: 'recovered',
    note: 'invoice marked paid out of band with the FlexCharge payment',
    patch: { writtenBackAt: ctx.now },
    nextActionAt: null,
  };
}

async function release(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status !== 'open') {
    return {
      to: 'released',
      note: `invoice is ${snapshot.status}; nothing to give back`,
      nextActionAt: null,
    };
  }
  if (rescue.holdAppliedAt) {
    await ctx.engine.releaseHold(rescue.invoiceId, {
      rescueId: rescue.id,
      restoreAutoAdvance: rescue.previousAutoAdvance ?? true,
      reason: 'not rescued',
    });
  }
  return { to: 'released', note: "hold released: the merchant's dunning resumes", nextActionAt: null };
}

async function cancel(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (rescue.providerOrderId) {
    const outcome = await ctx.provider.outcome(rescue.providerOrderId);
    if (outcome.status === 'approved') {
      return {
        to: 'refunding',
        note: 'FlexCharge had already collected: refunding',
        patch: { providerStatus: 'APPROVED', confirmationId: outcome.confirmationId },
        nextActionAt: ctx.now,
      };
    }
    if (outcome.status === 'pending')
      await ctx.provider.cancel(rescue.providerOrderId, `cancel-${rescue.id}`);
  }
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status === 'open' && rescue.holdAppliedAt) {
    await ctx.engine.releaseHold(rescue.invoiceId, {
      rescueId: rescue.id,
      restoreAutoAdvance: rescue.previousAutoAdvance ?? true,
      reason: 'rescue cancelled',
    });
  }
  return {
    to: 'cancelled',
    note: 'FlexCharge order cancelled',
    patch: { providerStatus: 'CANCELLED' },
    nextActionAt: null,
  };
}

async function refund(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new Error('refunding rescue lacks its amount or order id');
  const result = await ctx.provider.refund(
    rescue.providerOrderId,
    rescue.amount,
    'invoice was paid elsewhere',
  );
  if (!result.refunded)
    throw new Error(`FlexCharge refused the refund: ${result.message ?? 'no reason given'}`);
  return {
    to: 'conflict',
    note: 'FlexCharge collected after the invoice was paid elsewhere; refunded, flagged for finance',
    patch: { providerStatus: 'RETURNED' },
    nextActionAt: null,
  };
}

function loadRenewal(rescue: Rescue, ctx: StepContext) {
  const origin = rescue.engineInitiated === null ? undefined : { engineInitiated: rescue.engineInitiated };
  return ctx.engine.loadRenewalFailure(rescue.invoiceId, origin);
}

function siteLabel(ctx: StepContext, descriptor: string | null): string | null {
  return ctx.policy.site.siteId ?? ctx.policy.site.siteUrl ?? descriptor ?? ctx.policy.site.descriptor;
}
