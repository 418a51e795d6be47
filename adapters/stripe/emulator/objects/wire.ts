import type Stripe from 'stripe';

/**
 * Decimal fields (`unit_amount_decimal`, `quantity_decimal`) travel as strings; stripe-node turns them
 * into its `Decimal` class when it parses a response. The store keeps the wire form.
 */
export function decimalString(value: number): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

export function emptyList<T>(url: string): Stripe.ApiList<T> {
  return { object: 'list', data: [], has_more: false, url };
}
