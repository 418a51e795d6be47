/**
 * An amount in integer minor units with its ISO 4217 currency in upper case. "Minor unit" is as
 * Stripe counts it (`currency-units.ts`): cents for USD, yen for JPY, fils for KWD, hundredths for ISK.
 */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`amount must be an integer in minor units, got ${amount}`);
  if (!/^[A-Za-z]{3}$/.test(currency))
    throw new RangeError(`currency must be an ISO 4217 code, got ${currency}`);
  return { amount, currency: currency.toUpperCase() };
}
