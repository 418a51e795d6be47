import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  type FlexChargeEnvironment,
  MERCHANT_FLOWS,
  type MerchantFlow,
  ORDER_SOURCES,
  type OrderSource,
} from '../core/merchant-settings.js';
import { RESCUE_STATES, type RescueState } from '../core/rescue-states.js';
import { validate } from '../storage/merchant-input.js';

/** Live rescues (handed over, or meant to be) or shadow ones ("would have been handed over"). */
export const LEDGER_MODES = ['live', 'shadow'] as const;
export type LedgerMode = (typeof LEDGER_MODES)[number];

/**
 * Which rescues a ledger or a report covers. The period is on the failure's time (`failed_at`, UTC),
 * half-open: `from` included, `to` excluded, so consecutive months never count a rescue twice.
 */
export interface LedgerFilter {
  /** Null: every merchant (the partner's view). */
  readonly merchantId: string | null;
  readonly from: Date;
  readonly to: Date;
  readonly environment?: FlexChargeEnvironment;
  readonly mode?: LedgerMode;
  readonly siteId?: string;
  readonly flow?: MerchantFlow;
  readonly channel?: OrderSource;
  readonly state?: RescueState;
  readonly currency?: string;
  readonly declineCode?: string;
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'must be a date (YYYY-MM-DD) or a UTC time')
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v))
  .refine((d) => !Number.isNaN(d.getTime()), 'not a valid date');

/** The query parameters the API, the page and the CLI share; unknown ones are refused. */
export const ledgerQuerySchema = z
  .object({
    from: day.optional(),
    /** A bare date is inclusive (the whole day), a time exclusive. */
    to: z.string().optional(),
    environment: z.enum(FLEXCHARGE_ENVIRONMENTS).optional(),
    mode: z.enum(LEDGER_MODES).optional(),
    site: z.uuid().optional(),
    flow: z.enum(MERCHANT_FLOWS).optional(),
    channel: z.enum(ORDER_SOURCES).optional(),
    state: z.enum(RESCUE_STATES).optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/)
      .transform((c) => c.toLowerCase())
      .optional(),
    declineCode: z.string().max(100).optional(),
    merchant: z.string().max(63).optional(),
  })
  .strict();

export type LedgerQuery = z.output<typeof ledgerQuerySchema>;

/**
 * The filter a query names. Without a period: the current UTC month so far. `merchantId` comes from
 * the path (a merchant's routes) or, for the partner's routes, from `?merchant=`.
 */
export function ledgerFilterOf(
  query: unknown,
  scope: { merchantId: string | null },
  now: Date,
  defaults: Partial<LedgerFilter> = {},
): LedgerFilter {
  const q = validate(ledgerQuerySchema, query, 'query');
  const from = q.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = q.to === undefined ? new Date(now.getTime() + 1) : endOf(q.to);
  if (to <= from) throw new ValidationError('invalid query: to', { to: ['must be after from'] });
  return {
    ...defaults,
    merchantId: scope.merchantId ?? q.merchant ?? null,
    from,
    to,
    ...(q.environment ? { environment: q.environment } : {}),
    ...(q.mode ? { mode: q.mode } : {}),
    ...(q.site ? { siteId: q.site } : {}),
    ...(q.flow ? { flow: q.flow } : {}),
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.currency ? { currency: q.currency } : {}),
    ...(q.declineCode ? { declineCode: q.declineCode } : {}),
  };
}

function endOf(to: string): Date {
  const parsed = validate(day, to, 'to');
  // `to=2026-05-31` means through the end of that day.
  return to.length === 10 ? new Date(parsed.getTime() + 86_400_000) : parsed;
}
