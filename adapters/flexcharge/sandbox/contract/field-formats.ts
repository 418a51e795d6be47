import { z } from 'zod';

/**
 * Value formats as the contract gives them (`flexcharge-api.md` §1, §6, §10). The sandbox reads the
 * contract on its own: nothing here comes from the plugin's FlexCharge client, so a field the client
 * gets wrong is refused here as the real API would refuse it.
 */

/**
 * A string ASP.NET's [Required] accepts: null, empty and white space are all "The X field is
 * required." (the `blank` marker tells validation-errors.ts to say so rather than "invalid").
 */
export const requiredText = z.string().refine((value) => value.trim() !== '', { params: { blank: true } });

/** `mid`, `siteId`, idempotency keys and FlexCharge order ids are GUIDs (§1, §6.1, §8.5). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const guid = z.string().regex(GUID);
export const requiredGuid = requiredText.regex(GUID);

/** Every amount except `amountToRefund` is an integer number of cents (§1). */
export const cents = z.number().int().nonnegative();

/** ISO 4217 code; ASP.NET does not care about case, so neither do we, and the code is kept upper case. */
export const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/)
  .transform((code) => code.toUpperCase());

/** ISO 3166-1 alpha-2 (§6.4 `countryCode`, §6.6 `cardCountry`). */
export const countryCode = z.string().regex(/^[A-Za-z]{2}$/);

/**
 * The ISO 8601 forms an ASP.NET `DateTime` binds from JSON: a date, or a date and time with optional
 * seconds, fraction (up to 7 digits) and offset. Anything else, the empty string and RFC 1123 dates
 * included, is "The field X is invalid." (§10, §11).
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The instant an ISO 8601 value names; without an offset it is read as UTC (the fields end in `Utc`). */
export function parseContractDate(value: string): Date | undefined {
  const match = ISO_8601.exec(value);
  if (!match) return undefined;
  const [, year, month, day, zone] = match;
  const dayExists =
    new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() === Number(day);
  const date = new Date(value.includes('T') && !zone ? `${value}Z` : value);
  return dayExists && !Number.isNaN(date.getTime()) ? date : undefined;
}

export const isoDateTime = z.string().refine((value) => parseContractDate(value) !== undefined);

/** `payer.birthdate` is a date without a time (§6.3). */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * `subscription.interval` (§6.9): the contract shows only `monthly`, and the vendor's list could not
 * be read. These follow its pattern; anything else (`every 2 months`) is refused. Our assumption.
 */
export const SUBSCRIPTION_INTERVALS = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
