import type { Rescue, StepOutcome } from './rescue.js';
import { cancelOrder } from './steps/cancel-step.js';
import { holdEngineRetries } from './steps/hold-step.js';
import { checkLateApproval, honourObligations } from './steps/obligation-steps.js';
import { pollOutcome } from './steps/poll-step.js';
import { prepareRescue } from './steps/prepare-step.js';
import { refundProviderPayment } from './steps/refund-step.js';
import { releaseToDunning } from './steps/release-step.js';
import type { StepContext } from './steps/step-context.js';
import { submitToProvider } from './steps/submit-step.js';
import { writeBackPayment } from './steps/write-back-step.js';

export type { StepContext } from './steps/step-context.js';

/**
 * One step of a rescue, chosen by its state. Every step re-reads the engine before it decides, so a
 * webhook is only ever a hint; each outside call carries a key derived from the rescue id.
 */
export async function runRescueStep(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  switch (rescue.state) {
    case 'received':
      return prepareRescue(rescue, ctx);
    case 'evaluating':
      return submitToProvider(rescue, ctx);
    case 'holding':
      return holdEngineRetries(rescue, ctx);
    case 'held':
    case 'challenged':
      return pollOutcome(rescue, ctx);
    case 'approved':
      return writeBackPayment(rescue, ctx);
    case 'releasing':
      return releaseToDunning(rescue, ctx);
    case 'cancelling':
      return cancelOrder(rescue, ctx);
    case 'refunding':
      return refundProviderPayment(rescue, ctx);
    case 'needs_attention':
      return honourObligations(rescue, ctx);
    case 'released':
    case 'cancelled':
    case 'declined':
      return checkLateApproval(rescue, ctx);
    default:
      return { to: null, note: `nothing to do in ${rescue.state}`, nextActionAt: null };
  }
}
