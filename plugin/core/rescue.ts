import type { Money } from './money.js';
import type { RescueState } from './rescue-states.js';

/** A rescue as the workflow sees it (storage maps rows to this). */
export interface Rescue {
  readonly id: string;
  readonly merchantId: string;
  readonly engine: string;
  readonly invoiceId: string;
  readonly subscriptionId: string | null;
  readonly state: RescueState;
  readonly createdAt: Date;
  readonly failedAt: Date;
  /** From the failure webhook: the engine made the attempt itself (null: not known). */
  readonly engineInitiated: boolean | null;
  readonly amount: Money | null;
  readonly providerOrderId: string | null;
  readonly confirmationId: string | null;
  readonly expiresAt: Date | null;
  readonly holdAppliedAt: Date | null;
  readonly previousAutoAdvance: boolean | null;
  readonly attempts: number;
}

/** Fields a step may set besides the state. */
export interface RescuePatch {
  subscriptionId?: string | null;
  customerId?: string | null;
  amount?: Money | null;
  failedChargeId?: string | null;
  declineCode?: string | null;
  ineligibleReason?: string | null;
  site?: string | null;
  providerOrderId?: string | null;
  providerStatus?: string | null;
  confirmationId?: string | null;
  expiresAt?: Date | null;
  holdAppliedAt?: Date | null;
  previousAutoAdvance?: boolean | null;
  outcomeAt?: Date | null;
  writtenBackAt?: Date | null;
}

/** What a step decided: the next state (or none), what to record, and when to look again. */
export interface StepOutcome {
  readonly to: RescueState | null;
  readonly note: string;
  readonly patch?: RescuePatch;
  /** null: nothing more to do until an event arrives. */
  readonly nextActionAt: Date | null;
  readonly details?: Record<string, unknown>;
}
