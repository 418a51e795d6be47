import type { OrderState, SandboxOrder } from './sandbox-order.js';

/** How an order reads through each endpoint: evaluate's status, /outcome's status, GET /orders/{id}. */

/** `GET /orders/{id}` status names by number (§8.1: 0 Draft … 7 Completed), upper case as observed. */
const ORDER_STATUS_NAMES = [
  'DRAFT',
  'ONHOLD',
  'CANCELLED',
  'PROBLEM',
  'PROCESSING',
  'CAPTUREREQUIRED',
  'RETURNED',
  'COMPLETED',
] as const;

const STATUS_NUMBER: Record<OrderState, number> = {
  draft: 0,
  processing: 4,
  challenge: 4,
  capture_required: 5,
  completed: 7,
  declined: 2,
  expired: 2,
  cancelled: 2,
  returned: 6,
};

/** Repeat evaluates answer the order's current state (contract §11): SUBMITTED while it is worked. */
const EVALUATE_STATUS: Record<OrderState, string> = {
  draft: 'SUBMITTED',
  processing: 'SUBMITTED',
  challenge: 'CHALLENGE',
  capture_required: 'CAPTUREREQUIRED',
  completed: 'APPROVED',
  returned: 'APPROVED',
  declined: 'DECLINED',
  expired: 'EXPIRED',
  cancelled: 'CANCELLED',
};

const OUTCOME_STATUS: Record<OrderState, string> = {
  ...EVALUATE_STATUS,
  processing: 'PROCESSING',
  challenge: 'PROCESSING',
};

const CURRENCY_SYMBOLS: Record<string, string> = {
  USD: '$',
  EUR: '€',
  GBP: '£',
  CAD: '$',
  AUD: '$',
  JPY: '¥',
};

export function statusNumberOf(order: SandboxOrder): number {
  return STATUS_NUMBER[order.state];
}

export function evaluateBody(order: SandboxOrder, senseKey: string | null) {
  return {
    orderSessionKey: order.orderSessionKey,
    senseKey,
    orderId: order.orderSessionKey,
    success: true,
    result: 'Success',
    status: EVALUATE_STATUS[order.state],
    statusCode: null,
    errors: [],
    customProperties: {},
  };
}

export function outcomeBody(order: SandboxOrder | undefined) {
  return {
    status: order ? OUTCOME_STATUS[order.state] : 'NOTFOUND',
    confirmationId: order?.confirmationId ?? null,
    success: true,
    result: null,
    statusCode: null,
    errors: [],
    customProperties: {},
  };
}

/** `GET /orders/{id}` (contract §8.1); `amount`, `refundedAmount` are cents, beyond the readable docs. */
export function orderBody(order: SandboxOrder) {
  const status = STATUS_NUMBER[order.state];
  const name = order.billing ?? order.shipping;
  return {
    id: order.orderSessionKey,
    correlationId: order.correlationId,
    referenceNumber: order.externalOrderId,
    externalOrderId: order.externalOrderId,
    status,
    statusName: ORDER_STATUS_NAMES[status] ?? 'PROBLEM',
    orderPlacedDate: order.createdAt.toISOString(),
    expiryDate: order.expiryDate?.toISOString() ?? null,
    isMIT: order.isMIT,
    amount: order.amount,
    refundedAmount: order.refundedAmount,
    currencyCode: order.currency,
    currencySymbol: CURRENCY_SYMBOLS[order.currency] ?? order.currency,
    confirmationId: order.confirmationId,
    firstName: name?.firstName ?? null,
    lastName: name?.lastName ?? null,
    email: order.payer.email,
    secondaryEmail: null,
    phone: order.payer.phone,
    billingAddress: order.billing,
    shippingAddress: order.shipping,
    paymentMethod: { cardBrand: order.card.brand, cardLast4Digits: order.card.last4 },
  };
}
