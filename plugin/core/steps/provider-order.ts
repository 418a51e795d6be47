import { ProviderError } from '../errors.js';
import type { Rescue, RescuePatch, StepOutcome } from '../rescue.js';
import type { RescueOutcome } from '../rescue-provider.js';
import type { StepContext } from './step-context.js';

/** The order as FlexCharge reports it now, or `none` when there is no order we can name. */
export type OrderReading = RescueOutcome | { readonly status: 'none' };

export async function readOrder(rescue: Rescue, ctx: StepContext): Promise<OrderReading> {
  if (!rescue.providerOrderId) return { status: 'none' };
  return ctx.provider.outcome(rescue.providerOrderId);
}

/** An approval, whatever state it finds the rescue in, moves it to `approved` (write back or refund). */
export function approvedOutcome(
  reading: Extract<RescueOutcome, { status: 'approved' }>,
  ctx: StepContext,
  note: string,
): StepOutcome {
  return {
    to: 'approved',
    note,
    patch: {
      providerStatus: 'APPROVED',
      confirmationId: reading.confirmationId,
      collectedAmount: reading.collected?.amount ?? null,
      orderOpen: false,
      outcomeAt: ctx.now,
    },
    nextActionAt: ctx.now,
  };
}

/** What to record of an order that ended without collecting (expired, declined, cancelled, refunded). */
export function endedPatch(reading: OrderReading): RescuePatch {
  return 'providerStatus' in reading
    ? { orderOpen: false, providerStatus: reading.providerStatus }
    : { orderOpen: false };
}

/**
 * Stops a live order and reads it again: the cancel of an order FlexCharge has already collected may
 * be refused or may be accepted without undoing anything (the contract does not say), so only the
 * order's state afterwards tells. Returns the reading after the cancel; an order that still reads
 * pending is a retryable fault, because releasing then could let FlexCharge collect behind our back.
 */
export async function stopOrder(
  rescue: Rescue,
  ctx: StepContext,
  key: string,
): Promise<Exclude<OrderReading, { status: 'pending' }>> {
  if (!rescue.providerOrderId) return { status: 'none' };
  const before = await readOrder(rescue, ctx);
  if (before.status !== 'pending') return before;
  try {
    await ctx.provider.cancel(rescue.providerOrderId, `${key}-${rescue.id}`);
  } catch (err) {
    // A refused cancel is answered by what the order is now (most likely: it completed meanwhile).
    if (!(err instanceof ProviderError) || err.retryable) throw err;
  }
  const after = await readOrder(rescue, ctx);
  if (after.status === 'pending') {
    throw new ProviderError(
      'flexcharge',
      `order ${rescue.providerOrderId} is still ${after.providerStatus} after cancel`,
      {
        retryable: true,
      },
    );
  }
  return after;
}
