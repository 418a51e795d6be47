import type { Money } from './money.js';

/**
 * How many decimal digits each currency's minor unit has: the one table every amount in the plugin
 * is counted by. It is Stripe's (docs.stripe.com/currencies, "Zero-decimal", "Three-decimal" and
 * "Special cases"), not ISO 4217's, because the amounts come from Stripe. The two differ: ISK and UGX
 * have no minor unit in ISO 4217, but Stripe's API keeps counting them in hundredths for backwards
 * compatibility (500 is 5 króna), so `Intl`'s ISO-based digits would be 100 times off for them.
 * HUF and TWD are zero-decimal only for Stripe payouts; charges and refunds are two-decimal.
 */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Stripe accepts these with a last digit of 0 only (whole hundredths), but counts them in thousandths. */
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export type MinorUnitDigits = 0 | 2 | 3;

export function minorUnitDigits(currency: string): MinorUnitDigits {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`not an ISO 4217 code: ${currency}`);
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * The amount in major units (19.99 for 1999 USD cents), for the few APIs that take decimals. Dividing
 * a safe integer by a power of ten gives the double nearest the exact decimal, which JSON and
 * `String` print as that decimal, so no rounding step is needed.
 */
export function toMajorUnits(amount: Money): number {
  return amount.amount / 10 ** minorUnitDigits(amount.currency);
}
