/**
 * The frozen vocabularies of a stored merchant. Migration 0007 copies these lists into its check
 * constraints; a later change adds a migration that rewrites the constraint, never edits 0007.
 */

/** FlexCharge's hosted environments a merchant holds credentials for. */
export const FLEXCHARGE_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type FlexChargeEnvironment = (typeof FLEXCHARGE_ENVIRONMENTS)[number];

/** The flows FlexCharge is switched on per merchant: renewals, website checkout, call-center orders. */
export const MERCHANT_FLOWS = ['mit', 'cit_website', 'cit_call_center'] as const;
export type MerchantFlow = (typeof MERCHANT_FLOWS)[number];

/** `shadow` builds and records the request but calls nothing: how a merchant rolls out safely. */
export const FLOW_MODES = ['off', 'shadow', 'on'] as const;
export type FlowMode = (typeof FLOW_MODES)[number];

/** Billing engines a merchant can connect. */
export const MERCHANT_ENGINES = ['stripe'] as const;
export type MerchantEngine = (typeof MERCHANT_ENGINES)[number];

/** How a flow that is not off runs a transaction: recorded only, or for real. Stored on each row. */
export type RunMode = Exclude<FlowMode, 'off'>;

/**
 * How a rescued payment is written back to the invoice: marked paid out of band with metadata, or
 * as a Stripe payment record (the invoice shows a payment processed by FlexCharge, with its reference).
 */
export const WRITE_BACK_MODES = ['paid_out_of_band', 'payment_record'] as const;
export type WriteBackMode = (typeof WRITE_BACK_MODES)[number];

/** Where an order was taken: the merchant's website (or app), or an agent in the call center (MOTO). */
export const ORDER_SOURCES = ['website', 'call_center'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];
