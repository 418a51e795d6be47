import { z } from 'zod';

/**
 * Building blocks for route schemas. Everything arrives as a string (or nested strings), so each
 * block parses and, when it fails, reports the message and `code` Stripe would.
 */

export const id = z.string().min(1);

export const integer = z.string().transform((raw, ctx) => {
  if (!/^-?\d+$/.test(raw)) {
    ctx.addIssue({
      code: 'custom',
      message: `Invalid integer: ${raw}`,
      params: { stripeCode: 'parameter_invalid_integer' },
    });
    return z.NEVER;
  }
  return Number(raw);
});

export const boolean = z.string().transform((raw, ctx) => {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `Invalid boolean: ${raw}` });
  return z.NEVER;
});

/** `metadata[k]=v` sets, `metadata[k]=` unsets a key, `metadata=` clears everything. */
export const metadata = z.union([
  z.literal(''),
  z.record(z.string().max(40), z.string().max(500, 'Metadata values can have up to 500 characters')),
]);

/** `expand[]=a` / `expand[0]=a`: Stripe's expansion paths. */
export const expand = z.array(z.string()).optional();

export const address = z.union([
  z.literal(''),
  z.strictObject({
    city: z.string().optional(),
    country: z.string().optional(),
    line1: z.string().optional(),
    line2: z.string().optional(),
    postal_code: z.string().optional(),
    state: z.string().optional(),
  }),
]);

export const billingDetails = z.strictObject({
  address: address.optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
});

export const pagination = {
  limit: integer.refine((n) => n >= 1 && n <= 100, { message: 'Limit must be between 1 and 100' }).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand,
};

/** Applies a metadata parameter to an existing metadata object, Stripe-style. */
export function applyMetadata(
  current: Record<string, string>,
  update: z.output<typeof metadata> | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Turns an address parameter into Stripe's address object (all six keys, nulls for absent parts). */
export function toAddress(param: z.output<typeof address> | undefined): StripeAddress | null {
  if (param === undefined || param === '') return null;
  return {
    city: param.city || null,
    country: param.country || null,
    line1: param.line1 || null,
    line2: param.line2 || null,
    postal_code: param.postal_code || null,
    state: param.state || null,
  };
}

export interface StripeAddress {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}
