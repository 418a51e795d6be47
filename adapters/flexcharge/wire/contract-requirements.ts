import { z } from 'zod';

/**
 * What FlexCharge's contract requires of an /evaluate and a /transmit body (flexcharge-api.md §5,
 * §6, §11), for shadow previews: stricter than the request schemas the client validates with
 * (`requests.ts`), which let through what the plugin deliberately sends short (a billing address of
 * country and postal code). Where the contract's versions disagree (§15.1) the stricter reading is
 * taken, so a preview lists everything some version of the API may refuse:
 *
 * - always: `isDeclined`, `orderId`, `isMIT`, `transaction.{id, timestampUtc, amount, currency}` and
 *   the 2024 sandbox's result codes, `payer.email`; on evaluate also `idempotencyKey` and `mid`
 *   (GUIDs), `billingInformation` with §6.4's fields (`state` for a US card) and `paymentMethod.cardNumber`;
 *   on transmit a `paymentMethod` without card data;
 * - `isRecurring` on a MIT, a `subscription` on a recurring MIT, `expiryDateUtc` on a managed MIT
 *   (every MIT the plugin evaluates), `customerIp` on a CIT evaluate (older pages);
 * - formats: GUIDs, ISO 8601 times, alpha-2 countries, three-letter currencies, integer cents, a
 *   descriptor of at most 22 characters, an http(s) `siteUrl`;
 * - at most one kind of site reference (`siteId`, `siteUrl`, `transaction.dynamicDescriptor`): the
 *   plugin's rule, so FlexCharge never has two to reconcile.
 *
 * Written from the contract, like the sandbox's own schemas, and independent of them: the sandbox is
 * loaded only in local mode.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

const text = z.string().trim().min(1, 'is required');
const guid = z.string().regex(GUID, 'must be a GUID');
const isoTime = z
  .string()
  .refine((value) => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');
const cents = z.number().int('must be an integer number of cents').nonnegative('must not be negative');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code');
const alpha2 = z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');

const transaction = z.object({
  id: text,
  timestampUtc: isoTime,
  amount: cents,
  currency,
  responseCode: text,
  responseCodeSource: text,
  avsResultCode: text,
  cvvResultCode: text,
  cavvResultCode: text,
  dynamicDescriptor: z.string().max(22, 'must be at most 22 characters').optional(),
});

const payer = z.object({ email: text });

const address = z.object({
  firstName: text,
  lastName: text,
  country: text,
  countryCode: alpha2,
  addressLine1: text,
  city: text,
  zipCode: text,
  state: z.string().optional(),
});

const subscription = z.object({
  subscriptionId: text,
  interval: text,
  price: z.union([cents, z.string().regex(/^\d+$/, 'must be a number of cents')]),
  currency,
});

const noCardData = z.never('must not be sent: transmit takes no card data').optional();

const siteFields = {
  siteId: guid.optional(),
  siteUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
};

const orderFields = {
  isDeclined: z.boolean('is required'),
  orderId: text,
  orderSource: z.string().optional(),
  isMIT: z.boolean('is required'),
  isRecurring: z.boolean().optional(),
  subscription: subscription.nullable().optional(),
  transaction,
  payer,
  ...siteFields,
};

type Body = {
  isMIT?: unknown;
  isRecurring?: unknown;
  subscription?: unknown;
  siteId?: unknown;
  siteUrl?: unknown;
  transaction?: { dynamicDescriptor?: unknown };
  billingInformation?: { countryCode?: unknown; state?: unknown };
  paymentMethod?: { cardCountry?: unknown };
};

type Problem = { path: string; message: string };

/**
 * Rules that tie one field to another (§6.1, §6.4, §6.9, §11), and the plugin's one-site rule. Run
 * apart from the schema so that they are reported even when a plain field is wrong too.
 */
function conditionals(kind: 'evaluate' | 'transmit') {
  return (raw: unknown): Problem[] => {
    const out: Problem[] = [];
    if (typeof raw !== 'object' || raw === null) return out;
    const body = raw as Body;
    const need = (path: string, when: boolean, value: unknown, why: string) => {
      if (when && (value === undefined || value === null)) out.push({ path, message: `is required ${why}` });
    };
    const mit = body.isMIT === true;
    need('isRecurring', mit, body.isRecurring, 'on a MIT');
    need('subscription', mit && body.isRecurring === true, body.subscription, 'on a recurring MIT');
    if (kind === 'evaluate') {
      const evaluate = body as Body & { expiryDateUtc?: unknown; customerIp?: unknown };
      need('expiryDateUtc', mit, evaluate.expiryDateUtc, 'on a managed MIT');
      need('customerIp', body.isMIT === false, evaluate.customerIp, 'on a CIT (older contract pages)');
    }
    const country = body.paymentMethod?.cardCountry ?? body.billingInformation?.countryCode;
    if (body.billingInformation && typeof country === 'string' && country.toUpperCase() === 'US') {
      need('billingInformation.state', true, body.billingInformation.state || undefined, 'for a US card');
    }
    const sites = [body.siteId, body.siteUrl, body.transaction?.dynamicDescriptor].filter(
      (value) => value !== undefined,
    );
    if (sites.length > 1) {
      out.push({
        path: 'siteId',
        message: 'only one of siteId, siteUrl and transaction.dynamicDescriptor may be sent',
      });
    }
    return out;
  };
}

/** A body checked against the contract: the schema of its fields and the rules between them. */
export interface ContractCheck {
  readonly schema: z.ZodType;
  readonly rules: (body: unknown) => readonly Problem[];
}

export const evaluateContract: ContractCheck = {
  schema: z.object({
    ...orderFields,
    idempotencyKey: guid,
    mid: guid,
    expiryDateUtc: isoTime.optional(),
    customerIp: z.string().optional(),
    billingInformation: address,
    paymentMethod: z.object({ cardNumber: text, token: z.boolean().optional() }),
  }),
  rules: conditionals('evaluate'),
};

export const transmitContract: ContractCheck = {
  schema: z.object({
    ...orderFields,
    mid: guid.optional(),
    billingInformation: address.optional(),
    paymentMethod: z.object(
      {
        cardNumber: noCardData,
        token: noCardData,
        verificationValue: noCardData,
      },
      'is required',
    ),
  }),
  rules: conditionals('transmit'),
};

/** One line per bad field, `path: message`, in the order they are met; empty when the body is complete. */
export function contractProblems(check: ContractCheck, body: unknown): string[] {
  const byPath = new Map<string, string[]>();
  const add = (path: string, message: string) => byPath.set(path, [...(byPath.get(path) ?? []), message]);
  const parsed = check.schema.safeParse(body, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  });
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    add(issue.path.map(String).join('.') || '(body)', issue.message);
  }
  for (const problem of check.rules(body)) add(problem.path, problem.message);
  return [...byPath].map(([path, messages]) => `${path}: ${[...new Set(messages)].join('; ')}`);
}
