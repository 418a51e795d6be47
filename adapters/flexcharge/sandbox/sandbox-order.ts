import type { ContractAddress } from './contract/order-objects.js';

/** Where an order is in the sandbox's state model (contract §13); `statusOf` gives the API's number. */
export type OrderState =
  | 'draft'
  | 'processing'
  | 'challenge'
  | 'capture_required'
  | 'completed'
  | 'declined'
  | 'expired'
  | 'cancelled'
  | 'returned';

export type OrderEventName =
  | 'order.completed'
  | 'order.expired'
  | 'order.cancelled'
  | 'order.refunded'
  | 'order.capturerequired';

export interface RefundRecord {
  /** Cents. */
  readonly amount: number;
  readonly at: Date;
  readonly transactionId: string;
}

/** What evaluate gave the sandbox to create an order from. */
export interface NewOrder {
  readonly mid: string;
  /** The merchant's `orderId`; the webhook's `ExternalOrderId`. */
  readonly externalOrderId: string;
  readonly isMIT: boolean;
  /** A MIT with `expiryDateUtc`: decided asynchronously. */
  readonly managed: boolean;
  readonly authorizeOnly: boolean;
  /** Cents. */
  readonly amount: number;
  readonly currency: string;
  readonly card: { readonly last4: string; readonly brand: string };
  readonly payer: { readonly email: string; readonly phone: string | null };
  readonly billing: ContractAddress | null;
  readonly shipping: ContractAddress | null;
  readonly correlationId: string | null;
  readonly siteId: string | null;
  /**
   * How the request named the order's site, exactly as sent (`site_id`, `site_url` or `descriptor`),
   * or `assigned`: none was named and the MID's only site was taken; `none`: no site at all.
   */
  readonly site: {
    readonly kind: 'site_id' | 'site_url' | 'descriptor' | 'assigned' | 'none';
    readonly value: string | null;
  };
  /** The request's `orderSource`, as sent (the contract lists no values). */
  readonly orderSource: string | null;
  readonly expiryDate: Date | null;
}

/** An order as the sandbox holds it; read-only to everyone but the order store. */
export interface SandboxOrder extends NewOrder {
  /** FlexCharge's order id, a GUID: evaluate's `orderSessionKey` and `orderId`. */
  readonly orderSessionKey: string;
  /** The rule-table row that decided the evaluate answer. */
  readonly rule: string;
  /** For an order answered SUBMITTED: whether it will be rescued at `decideAt` (else it expires). */
  readonly rescued: boolean | null;
  readonly createdAt: Date;
  readonly decideAt: Date | null;
  readonly state: OrderState;
  /** 8 upper-case hex characters, set when the order completes. */
  readonly confirmationId: string | null;
  /** Cents refunded so far. */
  readonly refundedAmount: number;
  readonly updatedAt: Date;
  readonly history: readonly { readonly at: Date; readonly state: OrderState }[];
  readonly refunds: readonly RefundRecord[];
}
