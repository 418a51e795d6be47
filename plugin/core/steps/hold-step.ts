import { DAY_MS } from '../clock.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { later, nextPoll, type StepContext } from './step-context.js';

/** `holding`: switch the engine's retries and dunning off for the invoice while FlexCharge works. */
export async function holdEngineRetries(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
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
