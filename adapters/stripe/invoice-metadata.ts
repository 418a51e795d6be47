import type { RecoveredPayment } from '../../plugin/core/billing-engine.js';

/**
 * What the adapter writes on a Stripe invoice's `metadata`, all prefixed `flexcharge_` so they never
 * collide with the merchant's own keys and finance can filter on them. Stripe keeps metadata
 * through every status change, so these double as the adapter's memory across crashes.
 */
export const INVOICE_METADATA = {
  /** `held` → `released`, or `held` → `recovering` → `recovered`. */
  status: 'flexcharge_status',
  /** The plugin's rescue id: whose hold or whose write-back this is. */
  rescueId: 'flexcharge_rescue_id',
  /** ISO time the hold is meant to end (informational: Stripe does not act on it). */
  holdUntil: 'flexcharge_hold_until',
  /** `true`/`false`: `auto_advance` before the hold, so a repeated hold restores the right value. */
  previousAutoAdvance: 'flexcharge_previous_auto_advance',
  releaseReason: 'flexcharge_release_reason',
  /** FlexCharge's order id, the reference finance reconciles against. */
  orderId: 'flexcharge_order_id',
  confirmationId: 'flexcharge_confirmation_id',
  /** Minor units as a decimal string, e.g. `2900`. */
  amount: 'flexcharge_amount',
  /** ISO 4217, upper case. */
  currency: 'flexcharge_currency',
  recoveredAt: 'flexcharge_recovered_at',
} as const;

/** `metadata.flexcharge_token` on a PaymentMethod: the merchant's FlexCharge token for that card. */
export const PAYMENT_METHOD_TOKEN_KEY = 'flexcharge_token';

export const FLEXCHARGE_STATUS = {
  held: 'held',
  released: 'released',
  /** Stamped before `invoices.pay`, so the `invoice.paid` echo already carries our rescue id. */
  recovering: 'recovering',
  recovered: 'recovered',
} as const;

type Metadata = Readonly<Record<string, string>> | null | undefined;

/** Stripe caps metadata values at 500 characters. */
const MAX_VALUE = 500;

export function holdMetadata(hold: {
  rescueId: string;
  until: Date;
  previousAutoAdvance: boolean;
}): Record<string, string> {
  return {
    [INVOICE_METADATA.status]: FLEXCHARGE_STATUS.held,
    [INVOICE_METADATA.rescueId]: hold.rescueId,
    [INVOICE_METADATA.holdUntil]: hold.until.toISOString(),
    [INVOICE_METADATA.previousAutoAdvance]: String(hold.previousAutoAdvance),
    // An empty value unsets the key: a reason left from an earlier rescue's release would mislead.
    [INVOICE_METADATA.releaseReason]: '',
  };
}

export function releaseMetadata(reason: string): Record<string, string> {
  return {
    [INVOICE_METADATA.status]: FLEXCHARGE_STATUS.released,
    [INVOICE_METADATA.releaseReason]: reason.slice(0, MAX_VALUE),
  };
}

export function writeBackMetadata(payment: RecoveredPayment): Record<string, string> {
  return {
    [INVOICE_METADATA.status]: FLEXCHARGE_STATUS.recovering,
    [INVOICE_METADATA.rescueId]: payment.rescueId,
    [INVOICE_METADATA.orderId]: payment.providerOrderId.slice(0, MAX_VALUE),
    [INVOICE_METADATA.confirmationId]: (payment.confirmationId ?? '').slice(0, MAX_VALUE),
    [INVOICE_METADATA.amount]: String(payment.amount.amount),
    [INVOICE_METADATA.currency]: payment.amount.currency.toUpperCase(),
    [INVOICE_METADATA.recoveredAt]: payment.recoveredAt.toISOString(),
  };
}

export function recoveredMetadata(): Record<string, string> {
  return { [INVOICE_METADATA.status]: FLEXCHARGE_STATUS.recovered };
}

/** The hold on the invoice, if it carries one of ours: whose, and the `auto_advance` it remembers. */
export function currentHold(metadata: Metadata): { rescueId: string; previousAutoAdvance: boolean } | null {
  if (metadata?.[INVOICE_METADATA.status] !== FLEXCHARGE_STATUS.held) return null;
  const rescueId = metadata[INVOICE_METADATA.rescueId];
  const previous = metadata[INVOICE_METADATA.previousAutoAdvance];
  if (!rescueId || (previous !== 'true' && previous !== 'false')) return null;
  return { rescueId, previousAutoAdvance: previous === 'true' };
}

/** The rescue holding the invoice now, whoever it is. */
export function holdingRescueId(metadata: Metadata): string | null {
  if (metadata?.[INVOICE_METADATA.status] !== FLEXCHARGE_STATUS.held) return null;
  return metadata[INVOICE_METADATA.rescueId] || null;
}

/**
 * The rescue whose write-back is stamped on the invoice (`recovering` or `recovered`), or null.
 * `recovering` counts too: it is on the invoice before `invoices.pay`, so the `invoice.paid` echo and
 * a crash between paying and the final stamp both still read as ours.
 */
export function writeBackRescueId(metadata: Metadata): string | null {
  const status = metadata?.[INVOICE_METADATA.status];
  if (status !== FLEXCHARGE_STATUS.recovering && status !== FLEXCHARGE_STATUS.recovered) return null;
  return metadata?.[INVOICE_METADATA.rescueId] || null;
}

export function isStampedRecovered(metadata: Metadata): boolean {
  return metadata?.[INVOICE_METADATA.status] === FLEXCHARGE_STATUS.recovered;
}
