import type { Selectable, Updateable } from 'kysely';
import type { Rescue, RescuePatch } from '../core/rescue.js';
import type { RescuesTable } from './schema.js';

/** Between the `rescues` table's rows and the workflow's `Rescue` and `RescuePatch`. */
export type RescueRow = Selectable<RescuesTable>;

export function toRescue(row: RescueRow): Rescue {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    engine: row.engine,
    invoiceId: row.invoice_id,
    subscriptionId: row.subscription_id,
    state: row.state,
    flow: row.flow,
    environment: row.environment,
    mode: row.mode,
    siteId: row.site_id,
    orderSource: row.order_source,
    createdAt: row.created_at,
    failedAt: row.failed_at,
    engineInitiated: row.engine_initiated,
    amount:
      row.amount !== null && row.currency ? { amount: Number(row.amount), currency: row.currency } : null,
    providerOrderId: row.flexcharge_order_id,
    confirmationId: row.confirmation_id,
    expiresAt: row.expires_at,
    holdAppliedAt: row.hold_applied_at,
    previousAutoAdvance: row.previous_auto_advance,
    attempts: row.attempts,
    holdActive: row.hold_active,
    orderOpen: row.order_open,
    providerStatus: row.flexcharge_status,
    releaseAs: row.release_as ?? 'released',
    writeBackKey: row.write_back_key,
    writtenBackAt: row.written_back_at,
    outcomeAt: row.outcome_at,
    writeBackReference: row.write_back_reference,
    refundReference: row.refund_reference,
    refundedAt: row.refunded_at,
    collected:
      row.collected_amount !== null && row.currency
        ? { amount: Number(row.collected_amount), currency: row.currency }
        : null,
  };
}

export function patchColumns(patch: RescuePatch | undefined): Updateable<RescuesTable> {
  if (!patch) return {};
  const out: Updateable<RescuesTable> = {};
  const map: Record<keyof RescuePatch, keyof RescuesTable> = {
    subscriptionId: 'subscription_id',
    customerId: 'customer_id',
    amount: 'amount',
    failedChargeId: 'failed_charge_id',
    declineCode: 'decline_code',
    declineMessage: 'decline_message',
    ineligibleReason: 'ineligible_reason',
    site: 'site',
    providerOrderId: 'flexcharge_order_id',
    providerStatus: 'flexcharge_status',
    confirmationId: 'confirmation_id',
    expiresAt: 'expires_at',
    holdAppliedAt: 'hold_applied_at',
    previousAutoAdvance: 'previous_auto_advance',
    outcomeAt: 'outcome_at',
    writtenBackAt: 'written_back_at',
    writeBackReference: 'write_back_reference',
    refundReference: 'refund_reference',
    refundedAt: 'refunded_at',
    holdActive: 'hold_active',
    orderOpen: 'order_open',
    releaseAs: 'release_as',
    writeBackKey: 'write_back_key',
    collectedAmount: 'collected_amount',
    releaseFallback: 'release_fallback',
    flow: 'flow',
    environment: 'environment',
    mode: 'mode',
    siteId: 'site_id',
    orderSource: 'order_source',
    orderSessionKey: 'order_session_key',
    shadowRequest: 'shadow_request',
  };
  for (const [key, value] of Object.entries(patch) as [keyof RescuePatch, unknown][]) {
    if (value === undefined) continue;
    if (key === 'amount') {
      const amount = value as RescuePatch['amount'];
      out.amount = amount ? amount.amount : null;
      out.currency = amount ? amount.currency : null;
      continue;
    }
    if (key === 'shadowRequest') {
      out.shadow_request = value === null ? null : JSON.stringify(value);
      continue;
    }
    (out as Record<string, unknown>)[map[key]] = value;
  }
  return out;
}
