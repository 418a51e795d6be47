import type { Rescue, StepOutcome } from '../rescue.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/** `releasing`: not rescued; give the invoice back to the engine's dunning. */
export async function releaseToDunning(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const status = await releaseHoldIfOpen(rescue, ctx, 'not rescued');
  if (status !== 'open') {
    return { to: 'released', note: `invoice is ${status}; nothing to give back`, nextActionAt: null };
  }
  return { to: 'released', note: "hold released: the merchant's dunning resumes", nextActionAt: null };
}
