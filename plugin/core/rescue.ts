import type { FlexChargeEnvironment, MerchantFlow, OrderSource, RunMode } from './merchant-settings.js';
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
  /** The flow it runs under (chosen when prepared; `mit` before that). */
  readonly flow: MerchantFlow;
  /** The FlexCharge environment, pinned when prepared; null before (and on rows from before 0008). */
  readonly environment: FlexChargeEnvironment | null;
  readonly mode: RunMode | null;
  /** The merchant's site (merchant_sites id) it was resolved to. */
  readonly siteId: string | null;
  readonly orderSource: OrderSource | null;
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
  /** Our hold is on the invoice and not yet given back. */
  readonly holdActive: boolean;
  /** The provider has, or may have, an order for this invoice that has not ended. */
  readonly orderOpen: boolean;
  readonly providerStatus: string | null;
  /** The final state `releasing` ends in. */
  readonly releaseAs: 'released' | 'declined';
  /** The key of a write-back sent to the engine whose result is not yet recorded. */
  readonly writeBackKey: string | null;
  readonly writtenBackAt: Date | null;
  /** When FlexCharge's order ended (approved, declined, …), as the rescue first learnt it. */
  readonly outcomeAt: Date | null;
  /** The engine's reference of the write-back (invoice payment or payment record id). */
  readonly writeBackReference: string | null;
  /** A conflict's refund at FlexCharge: its reference and when it was confirmed. */
  readonly refundReference: string | null;
  readonly refundedAt: Date | null;
  /** What the provider said it collected, when it said. */
  readonly collected: Money | null;
}

/** Fields a step may set besides the state. */
export interface RescuePatch {
  subscriptionId?: string | null;
  customerId?: string | null;
  amount?: Money | null;
  failedChargeId?: string | null;
  declineCode?: string | null;
  declineMessage?: string | null;
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
  /** The engine's reference of the write-back (invoice payment or payment record id). */
  writeBackReference?: string | null;
  /** A conflict's refund at FlexCharge: its reference and when it was confirmed. */
  refundReference?: string | null;
  refundedAt?: Date | null;
  holdActive?: boolean;
  orderOpen?: boolean;
  releaseAs?: 'released' | 'declined' | null;
  writeBackKey?: string | null;
  /** Amount in the rescue's currency (minor units). */
  collectedAmount?: number | null;
  releaseFallback?: string | null;
  flow?: MerchantFlow;
  environment?: FlexChargeEnvironment | null;
  mode?: RunMode | null;
  siteId?: string | null;
  orderSource?: OrderSource | null;
  orderSessionKey?: string | null;
  shadowRequest?: object | null;
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
