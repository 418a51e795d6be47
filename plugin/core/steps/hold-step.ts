import type { Rescue, StepOutcome } from '../rescue.js';
import { nextPoll, rescueExpiry, type StepContext } from './step-context.js';

/**
 * `holding`: only rows from before the hold moved ahead of the evaluate stand here. Apply the hold,
 * then go on where such a row was: to the evaluate, or to waiting when FlexCharge already has it.
 */
export async function holdEngineRetries(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const until = rescue.expiresAt ?? rescueExpiry(rescue.failedAt, ctx.now, ctx.policy.expiryDays);
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status !== 'open') {
    return {
      to: 'cancelling',
      note: `invoice became ${snapshot.status} before the hold`,
      nextActionAt: ctx.now,
    };
  }
  await ctx.checkpoint({ holdActive: true });
  const { previousAutoAdvance } = await ctx.engine.holdRetries(rescue.invoiceId, {
    rescueId: rescue.id,
    until,
  });
  const patch = { holdAppliedAt: ctx.now, previousAutoAdvance, holdActive: true, expiresAt: until };
  if (!rescue.providerOrderId) {
    return { to: 'evaluating', note: 'engine retries held', patch, nextActionAt: ctx.now };
  }
  return { to: 'held', note: 'engine retries held', patch, nextActionAt: nextPoll(rescue, ctx) };
}
