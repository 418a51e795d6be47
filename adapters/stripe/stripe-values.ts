import type Stripe from 'stripe';
import type { CardDetails, PostalAddress } from '../../plugin/core/billing-engine.js';
import { type Money, money } from '../../plugin/core/money.js';
import { PAYMENT_METHOD_TOKEN_KEY } from './invoice-metadata.js';

/** Small, shape-tolerant readers shared by the loaders. */

/** An expandable field: the id whether Stripe sent the id or the object. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

/** The object of an expanded field, or null when only the id came back. */
export function expanded<T extends { id: string }>(value: string | T | null | undefined): T | null {
  return value !== null && typeof value === 'object' ? value : null;
}

export function fromUnix(seconds: number): Date {
  return new Date(seconds * 1000);
}

/** Stripe's lower-case currency → our Money (upper case). */
export function moneyOf(amount: number, currency: string): Money {
  return money(amount, currency);
}

export function addressOf(address: Stripe.Address | null | undefined): PostalAddress | null {
  if (!address) return null;
  const result: PostalAddress = {
    line1: address.line1 || null,
    line2: address.line2 || null,
    city: address.city || null,
    state: address.state || null,
    postalCode: address.postal_code || null,
    country: address.country || null,
  };
  return Object.values(result).some((part) => part !== null) ? result : null;
}

/** Card details from the PaymentMethod (which also carries the merchant's `flexcharge_token`). */
export function cardFromPaymentMethod(pm: Stripe.PaymentMethod): CardDetails {
  const card = pm.card;
  return {
    paymentMethodId: pm.id,
    brand: card?.brand ?? null,
    funding: card?.funding ?? null,
    country: card?.country ?? null,
    expMonth: card?.exp_month ?? null,
    expYear: card?.exp_year ?? null,
    last4: card?.last4 ?? null,
    holderName: pm.billing_details?.name ?? null,
    billingAddress: addressOf(pm.billing_details?.address),
    flexchargeToken: pm.metadata?.[PAYMENT_METHOD_TOKEN_KEY] || null,
  };
}

/** Card details as the charge recorded them, for when the PaymentMethod cannot be read any more. */
export function cardFromCharge(charge: Stripe.Charge): CardDetails | null {
  const paymentMethodId = charge.payment_method;
  const card = charge.payment_method_details?.card;
  if (!paymentMethodId || !card) return null;
  return {
    paymentMethodId,
    brand: card.brand ?? null,
    funding: card.funding ?? null,
    country: card.country ?? null,
    expMonth: card.exp_month ?? null,
    expYear: card.exp_year ?? null,
    last4: card.last4 ?? null,
    holderName: charge.billing_details?.name ?? null,
    billingAddress: addressOf(charge.billing_details?.address),
    flexchargeToken: null,
  };
}

/** Reads `path` from an untyped object without throwing; for fields older API versions had. */
export function readPath(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Collects every item of an auto-paginating list. */
export async function collect<T>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}
