import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  FLOW_MODES,
  MERCHANT_ENGINES,
  MERCHANT_FLOWS,
  WRITE_BACK_MODES,
} from '../core/merchant-settings.js';

/**
 * What a merchant's settings must look like before they are stored, whoever sends them (the admin
 * API, the CLI, the environment at start). Secret values never appear in an error message: zod's
 * messages below name the rule, not the input.
 */

const secretText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? null);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const merchantIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, _ or -, starting alphanumeric',
  );

export const siteIdSchema = z.uuid('must be a site id (a UUID)');

// Stripe's rule for a metadata key: at most 40 characters, no square brackets. Leading or trailing
// blanks would never match what a merchant's integration writes, so they are refused, not trimmed.
export const metadataKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters (Stripe metadata key)')
  .regex(/^[^[\]]*$/, 'must not contain [ or ] (Stripe metadata key)')
  .regex(/^\S(.*\S)?$/, 'must not start or end with a blank');

/** Metadata keys left out are kept as stored (the column defaults on create). */
export const merchantInput = z.object({
  id: merchantIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  siteMetadataKey: metadataKeySchema.optional(),
  orderChannelMetadataKey: metadataKeySchema.optional(),
});

export const credentialsInput = z.object({
  environment: z.enum(FLEXCHARGE_ENVIRONMENTS),
  appKey: secretText(500),
  appSecret: secretText(500),
  mid: z.uuid('must be a GUID'),
  webhookKey: optional(
    z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "must be base64 (the portal's subscriber key)"),
  ),
  defaultSiteId: optional(z.uuid('must be a GUID')),
  defaultSiteUrl: optional(httpUrl),
});

export const flowInput = z.object({
  flow: z.enum(MERCHANT_FLOWS),
  mode: z.enum(FLOW_MODES),
  environment: z.enum(FLEXCHARGE_ENVIRONMENTS),
});

/**
 * FlexCharge's id of the site in each environment: sandbox and production are separate accounts,
 * so the same website has a different id in each. An environment left out (or null) has none there.
 * Strict: a misspelt environment would otherwise be dropped without a word.
 */
const flexchargeSiteIdsInput = z
  .strictObject({
    sandbox: optional(z.uuid('must be a GUID')),
    production: optional(z.uuid('must be a GUID')),
  })
  .default({ sandbox: null, production: null });

/**
 * `isDefault`: true makes it the merchant's default site (the previous default is unset), false
 * makes it an ordinary one; left out, a new site is not the default and an updated one stays as it was.
 */
export const siteInput = z
  .object({
    url: optional(httpUrl),
    // Card networks cap a statement descriptor at 22 characters.
    statementDescriptor: optional(z.string().trim().min(1).max(22)),
    flexchargeSiteIds: flexchargeSiteIdsInput,
    enabled: z
      .object({
        mit: z.boolean().default(true),
        cit_website: z.boolean().default(true),
        cit_call_center: z.boolean().default(true),
      })
      .default({ mit: true, cit_website: true, cit_call_center: true }),
    isDefault: z.boolean().optional(),
  })
  .refine(
    (s) => s.url || s.statementDescriptor || s.flexchargeSiteIds.sandbox || s.flexchargeSiteIds.production,
    {
      path: ['url'],
      message: 'a site needs a url, a statementDescriptor or a FlexCharge site id (flexchargeSiteIds)',
    },
  );

export const engineConnectionInput = z.object({
  engine: z.enum(MERCHANT_ENGINES),
  apiKey: optional(
    z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret or restricted key'),
  ),
  webhookSecret: optional(z.string().regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)')),
  stripeAccountId: optional(z.string().regex(/^acct_\w+$/, 'must be a Stripe account id (acct_…)')),
  /**
   * Left out: the connection keeps the mode it has (a new one gets `paid_out_of_band`, as every
   * connection stored before the choice existed). A key or secret rotated must not switch how
   * finance sees recoveries.
   */
  writeBackMode: z
    .enum(WRITE_BACK_MODES, { error: `must be one of ${WRITE_BACK_MODES.join(', ')}` })
    .nullish()
    .transform((v) => v ?? undefined),
  /** Set by `flexcharge-mit install` only: the endpoint whose secret `webhookSecret` is. */
  webhookEndpointId: optional(z.string().regex(/^we_\w+$/, 'must be a webhook endpoint id (we_…)')),
});

export type MerchantInput = z.input<typeof merchantInput>;
export type CredentialsInput = z.input<typeof credentialsInput>;
export type FlowInput = z.input<typeof flowInput>;
export type SiteInput = z.input<typeof siteInput>;
export type EngineConnectionInput = z.input<typeof engineConnectionInput>;

/** The parsed value, or a `ValidationError` whose `fields` name each bad field and what is wrong. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.join('.') || what;
    fields[path] = [...(fields[path] ?? []), issue.message];
  }
  const named = Object.keys(fields).join(', ');
  throw new ValidationError(`invalid ${what}: ${named}`, fields);
}

/**
 * A `ValidationError` naming each field of `value` that `allowed` does not list: a misspelt optional
 * field would otherwise be dropped without a word. Also refuses a body that is not a JSON object.
 */
export function refuseUnknownFields(value: unknown, allowed: readonly string[], what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(`invalid ${what}: not an object`, { [what]: ['must be a JSON object'] });
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length === 0) return;
  const fields = Object.fromEntries(
    unknown.map((k) => [k, [`is not a field of ${what} (known: ${allowed.join(', ')})`]]),
  );
  throw new ValidationError(`invalid ${what}: ${unknown.join(', ')}`, fields);
}
