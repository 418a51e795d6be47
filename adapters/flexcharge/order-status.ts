import { ORDER_STATUS_NAMES, type OrderResponse } from './wire/responses.js';

/**
 * What an order's status (`GET /orders/{id}`, contract §8.1) means for a rescue. Draft, Onhold,
 * Processing and Capturerequired are work in progress. Problem needs FlexCharge support, not an end:
 * it stays pending but is shown. Cancelled covers declined, expired and cancelled alike. A status we
 * do not know is pending, so that no unknown answer ends a rescue.
 */
export type OrderMeaning = 'pending' | 'approved' | 'not_rescued' | 'refunded';

const MEANINGS: Readonly<Record<(typeof ORDER_STATUS_NAMES)[number], OrderMeaning>> = {
  DRAFT: 'pending',
  ONHOLD: 'pending',
  CANCELLED: 'not_rescued',
  PROBLEM: 'pending',
  PROCESSING: 'pending',
  CAPTUREREQUIRED: 'pending',
  RETURNED: 'refunded',
  COMPLETED: 'approved',
};

export interface OrderState {
  /** The status as shown to people: the documented name in upper case, or what FlexCharge sent. */
  readonly name: string;
  readonly meaning: OrderMeaning;
}

/** The numeric status decides (it is what the docs define); the name only when there is no number. */
export function orderStateOf(order: OrderResponse): OrderState {
  const { status, statusName } = order;
  const name =
    typeof status === 'number'
      ? (ORDER_STATUS_NAMES[status] ?? statusName?.toUpperCase() ?? `STATUS_${status}`)
      : (status ?? statusName ?? '').toUpperCase() || 'UNKNOWN';
  const meaning = (MEANINGS as Record<string, OrderMeaning>)[name] ?? 'pending';
  return { name, meaning };
}
