import { createHash } from 'node:crypto';
import type { TestCard } from './test-cards.js';

/**
 * The sandbox's rule table: how /evaluate answers, decided only by the request (contract §12 asks
 * for a documented, deterministic table; README.md prints it). This is emulator policy, seeded with
 * what the real sandbox was seen to do, not vendor fact. Rows are tried top to bottom.
 */

/**
 * Decline codes no rescue can cure: lost, stolen, pick-up, fraud and revoked authorizations, as ISO
 * 8583 codes, Visa's recurring-stop codes and Stripe's names (matched case-insensitively).
 */
export const HARD_DECLINE_CODES: ReadonlySet<string> = new Set([
  '04',
  '07',
  '34',
  '41',
  '43',
  '59',
  'r0',
  'r1',
  'r3',
  'lost_card',
  'stolen_card',
  'pickup_card',
  'fraudulent',
  'revocation_of_authorization',
  'revocation_of_all_authorizations',
  'stop_payment_order',
]);

export interface RuleInput {
  readonly card: TestCard;
  readonly isMIT: boolean;
  /** A MIT with `expiryDateUtc`: answered SUBMITTED and decided later. */
  readonly managed: boolean;
  /** Root `transactionType` AUTHORIZATION: a rescue ends CAPTUREREQUIRED instead of APPROVED. */
  readonly authorizeOnly: boolean;
  readonly hasPayerPhone: boolean;
  readonly hasCvv: boolean;
  /** `transaction.responseCode`: the decline the merchant's processor gave. */
  readonly responseCode: string | undefined;
  /** Whether this order falls within `approvalRate` (see `withinApprovalRate`). */
  readonly withinApprovalRate: boolean;
}

export type RuleDecision =
  | { readonly status: 'APPROVED' | 'DECLINED' | 'CHALLENGE' | 'CAPTUREREQUIRED'; readonly rule: string }
  | { readonly status: 'SUBMITTED'; readonly rescued: boolean; readonly rule: string };

export function decideEvaluate(input: RuleInput): RuleDecision {
  const { card } = input;
  const approved = input.authorizeOnly ? 'CAPTUREREQUIRED' : 'APPROVED';
  if (input.responseCode && HARD_DECLINE_CODES.has(input.responseCode.trim().toLowerCase())) {
    return { status: 'DECLINED', rule: `hard decline code ${input.responseCode}` };
  }
  if (!input.isMIT) {
    if (card.cit === 'DECLINED') return { status: 'DECLINED', rule: `${card.last4} CIT: declined card` };
    if (card.cit === 'CHALLENGE') {
      return !input.hasPayerPhone && !input.hasCvv
        ? { status: 'DECLINED', rule: `${card.last4} CIT without phone and CVV` }
        : { status: 'CHALLENGE', rule: `${card.last4} CIT` };
    }
    return { status: approved, rule: `${card.last4} CIT` };
  }
  const rescued = card.rescuable && input.withinApprovalRate;
  if (input.managed) {
    const why = !card.rescuable ? 'never rescued' : rescued ? 'rescued' : 'outside approvalRate';
    return { status: 'SUBMITTED', rescued, rule: `${card.last4} managed MIT: ${why}` };
  }
  return rescued
    ? { status: approved, rule: `${card.last4} sync MIT: rescued` }
    : {
        status: 'DECLINED',
        rule: `${card.last4} sync MIT: ${card.rescuable ? 'outside approvalRate' : 'never rescued'}`,
      };
}

/**
 * Whether an order falls within `approvalRate`: the first 32 bits of SHA-256 of the merchant orderId,
 * as a fraction of 2^32, below the rate. Deterministic, so a test or demo can rely on an orderId.
 */
export function withinApprovalRate(merchantOrderId: string, approvalRate: number): boolean {
  if (approvalRate >= 1) return true;
  const fraction = createHash('sha256').update(merchantOrderId).digest().readUInt32BE(0) / 2 ** 32;
  return fraction < approvalRate;
}
