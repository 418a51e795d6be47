import { type FieldErrors, type PathSegment, valueAt } from '../validation-errors.js';

/**
 * Fields whose requirement depends on the request or on the sandbox's switches (README "Required
 * fields"). The schemas in request-bodies.ts hold what every contract version requires; this holds
 * the rest:
 *
 * - `requiredFields: 'union'` (default) requires what any version required (contract §15.1): the 2024
 *   sandbox's transaction codes, a site, and `customerIp` on a CIT, on top of 2026's `mid`/`isMIT`.
 *   `'latest'` requires only what the newest pages do: a site only when the MID has several.
 * - `billingFields: 'full'` (default) requires the address fields §6.4 marks required, `state` for US
 *   cards; `'country_postal'` only the country and postal code. A shipping address, when sent, needs
 *   the same fields (the vendor's model marks them required when the object is present).
 */

export type RequiredFieldsProfile = 'union' | 'latest';
export type BillingFieldsProfile = 'full' | 'country_postal';

export interface Requirement {
  readonly path: readonly PathSegment[];
  /** Met as well when one of these is present instead (`siteUrl` or the descriptor for `siteId`). */
  readonly orElse?: readonly (readonly PathSegment[])[];
  /** Default: "The X field is required.". */
  readonly message?: string;
}

export interface RequirementContext {
  /** The body after key normalization. */
  readonly body: unknown;
  readonly requiredFields: RequiredFieldsProfile;
  readonly billingFields: BillingFieldsProfile;
  /** How many sites the merchant has; with several, a site must be named in every version. */
  readonly siteCount: number;
}

/** §6.2, required by the 2024 sandbox and absent from the 2026 minimum payload. */
const TRANSACTION_CODES_2024 = [
  'responseCode',
  'responseCodeSource',
  'avsResultCode',
  'cvvResultCode',
  'cavvResultCode',
] as const;

const ADDRESS_FIELDS: Record<BillingFieldsProfile, readonly string[]> = {
  full: ['firstName', 'lastName', 'country', 'countryCode', 'addressLine1', 'city', 'zipCode'],
  country_postal: ['country', 'countryCode', 'zipCode'],
};

/**
 * A site is named by `siteId`, `siteUrl` or the statement descriptor (`transaction.dynamicDescriptor`,
 * "the website linked to the descriptor", §5): any one of them meets the requirement.
 */
const SITE: Requirement = {
  path: ['siteId'],
  orElse: [['siteUrl'], ['transaction', 'dynamicDescriptor']],
  message: 'The SiteId field is required when no SiteUrl or Transaction.DynamicDescriptor is sent.',
};

/**
 * Whether the request must name a site. `latest`: only when the MID has several (newest pages).
 * `union`: the older pages' "siteId required" is read as "the order must resolve to a site", so it
 * is needed unless the MID has exactly one site, which the sandbox then assigns; a MID whose sites
 * are not known (none registered) must name one. Our assumption (README "Required fields").
 */
function siteNeeded(ctx: RequirementContext): boolean {
  return ctx.requiredFields === 'union' ? ctx.siteCount !== 1 : ctx.siteCount > 1;
}

export function evaluateRequirements(ctx: RequirementContext): Requirement[] {
  const union = ctx.requiredFields === 'union';
  return [
    ...orderRequirements(ctx),
    ...(siteNeeded(ctx) ? [SITE] : []),
    ...(union && valueAt(ctx.body, ['isMIT']) === false ? [{ path: ['customerIp'] }] : []),
  ];
}

/** §5: a transmit needs a site only for a MIT ("the website linked to the descriptor"). */
export function transmitRequirements(ctx: RequirementContext): Requirement[] {
  return [
    ...orderRequirements(ctx),
    ...(siteNeeded(ctx) && valueAt(ctx.body, ['isMIT']) === true ? [SITE] : []),
  ];
}

function orderRequirements(ctx: RequirementContext): Requirement[] {
  const { body } = ctx;
  const isMIT = valueAt(body, ['isMIT']) === true;
  const out: Requirement[] = [];
  if (isMIT) out.push({ path: ['isRecurring'] });
  if (isMIT && valueAt(body, ['isRecurring']) === true) {
    out.push({
      path: ['subscription'],
      message: 'The Subscription field is required when IsMIT and IsRecurring are true.',
    });
  }
  if (ctx.requiredFields === 'union') {
    for (const code of TRANSACTION_CODES_2024) out.push({ path: ['transaction', code] });
  }
  for (const address of ['billingInformation', 'shippingInformation']) {
    for (const field of ADDRESS_FIELDS[ctx.billingFields]) out.push({ path: [address, field] });
  }
  if (ctx.billingFields === 'full' && isUsCard(body)) {
    out.push({ path: ['billingInformation', 'state'], message: 'The State field is required for US cards.' });
  }
  return out;
}

/** §6.4 "state: required for US cards": the card's country, or the billing country when it is not sent. */
function isUsCard(body: unknown): boolean {
  const country =
    valueAt(body, ['paymentMethod', 'cardCountry']) ?? valueAt(body, ['billingInformation', 'countryCode']);
  return typeof country === 'string' && country.toUpperCase() === 'US';
}

/**
 * Adds "required" for each requirement not met. A field inside an object that was not sent is not
 * checked (the object's own absence is reported, as ASP.NET does), nor one already in error.
 */
export function checkRequirements(errors: FieldErrors, body: unknown, requirements: readonly Requirement[]) {
  for (const requirement of requirements) {
    const parent = valueAt(body, requirement.path.slice(0, -1));
    if (typeof parent !== 'object' || parent === null || errors.has(requirement.path)) continue;
    const alternatives = [requirement.path, ...(requirement.orElse ?? [])];
    if (alternatives.some((path) => isPresent(valueAt(body, path)))) continue;
    if (requirement.message) errors.add(requirement.path, requirement.message);
    else errors.required(requirement.path);
  }
}

/** ASP.NET's [Required]: null, missing, empty and white-space strings all count as absent. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}
