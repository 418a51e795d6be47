import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import { FINAL_STATES, type RescueState } from '../core/rescue-states.js';
import type { LedgerFilter } from './ledger-filter.js';

/** Minor units per currency (lower-case ISO 4217). Amounts of different currencies are never added. */
export type Amounts = Record<string, number>;

/**
 * What a report counts, over the ledger rows under the same filter (period on the failure time).
 * Every live row falls in exactly one of ineligible, pending, recovered, expired, declined, cancelled
 * and conflict (the states of `rescue-states.ts`), so those add up to `failures`.
 */
export interface Figures {
  /** Live rows (mode not `shadow`): every declined payment the plugin saw. */
  failures: number;
  /**
   * FlexCharge took the order (`handed_off_at` set: it entered `held` or `challenged`) or approved
   * it at once (an approved, recovered, refunding or conflict row without a hold).
   */
  handedOver: number;
  handedOverAmount: Amounts;
  /** State `ineligible`: never handed over; by `ineligible_reason`. */
  ineligible: number;
  ineligibleByReason: Record<string, number>;
  /** Not in a final state yet (received ... releasing, refunding, needs_attention). */
  pending: number;
  /** State `recovered`: FlexCharge collected and the payment was written back. */
  recovered: number;
  /** What FlexCharge said it collected (`collected_amount`, else the rescue's amount). */
  recoveredAmount: Amounts;
  /** State `released`: given back to the engine's dunning after the rescue expired unrescued. */
  expired: number;
  /** State `declined`: FlexCharge refused the order outright. */
  declined: number;
  /** State `cancelled`: the invoice was paid elsewhere, voided, or its subscription ended. */
  cancelled: number;
  /** State `conflict`: FlexCharge collected but the invoice could not take it, so it was refunded. */
  conflicts: number;
  conflictAmount: Amounts;
  /** Rows whose refund FlexCharge confirmed (`refunded_at` set), and what was refunded. */
  refunds: number;
  refundedAmount: Amounts;
  /** recovered / handedOver, by count; null when nothing was handed over. */
  rescueRate: number | null;
  /** Shadow rows (state `shadowed`), never mixed with the live figures above. */
  shadow: { wouldHaveBeenHandedOver: number; amount: Amounts };
}

/**
 * The groupings a report reads the ledger rows in. Each groups by one key and by everything a figure
 * depends on (currency, state, ineligible reason, shadow, handed over, refunded), so a month of all
 * merchants comes back as a few dozen groups per key rather than about a group per row (a grouping by
 * every key at once is nearly as fine as the rows). The database makes them in one pass (`GROUPING
 * SETS`, `report-query.ts`).
 */
export const GROUPINGS = ['day', 'site', 'declineCode', 'flow', 'channel'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** One group of ledger rows alike in a grouping's key and in everything a report counts. */
export interface ReportGroup {
  grouping: Grouping;
  /** The grouping's key (a site's: its id, URL and descriptor); null in the other groupings. */
  day: string | null;
  siteId: string | null;
  siteUrl: string | null;
  descriptor: string | null;
  declineCode: string | null;
  flow: string | null;
  channel: string | null;
  currency: string | null;
  state: RescueState;
  ineligibleReason: string | null;
  shadow: boolean;
  handedOff: boolean;
  refunded: boolean;
  count: number;
  /** Sum of `amount`. */
  amount: number;
  /** Sum of `collected_amount`, else `amount`, row by row. */
  collected: number;
}

export interface Breakdown {
  /** The value grouped by (a site id, a decline code, a day...); null where the rows have none. */
  key: string | null;
  /** What a person reads for it (the site's URL, "none"). */
  label: string;
  figures: Figures;
}

export const BREAKDOWNS = ['site', 'descriptor', 'declineCode', 'flow', 'channel', 'day'] as const;
export type BreakdownName = (typeof BREAKDOWNS)[number];

/** The breakdowns each grouping gives: a site has one descriptor, so the site's gives both. */
const BREAKDOWNS_OF: Record<Grouping, readonly BreakdownName[]> = {
  day: ['day'],
  site: ['site', 'descriptor'],
  declineCode: ['declineCode'],
  flow: ['flow'],
  channel: ['channel'],
};
/** The totals come from one grouping whose key every row has (its flow), so each row counts once. */
const TOTALS_FROM: Grouping = 'flow';

export interface Report {
  merchantId: string | null;
  environment: FlexChargeEnvironment;
  from: string;
  to: string;
  totals: Figures;
  by: Record<BreakdownName, Breakdown[]>;
}

const APPROVED_BY_FLEXCHARGE: ReadonlySet<RescueState> = new Set([
  'approved',
  'recovered',
  'refunding',
  'conflict',
]);

export function emptyFigures(): Figures {
  return {
    failures: 0,
    handedOver: 0,
    handedOverAmount: {},
    ineligible: 0,
    ineligibleByReason: {},
    pending: 0,
    recovered: 0,
    recoveredAmount: {},
    expired: 0,
    declined: 0,
    cancelled: 0,
    conflicts: 0,
    conflictAmount: {},
    refunds: 0,
    refundedAmount: {},
    rescueRate: null,
    shadow: { wouldHaveBeenHandedOver: 0, amount: {} },
  };
}

function add(amounts: Amounts, currency: string | null, value: number): void {
  // A row without a currency has no amount yet (not prepared): it is counted, not summed.
  if (currency === null) return;
  amounts[currency] = (amounts[currency] ?? 0) + value;
}

/** Adds one group to the figures, by the definitions above. */
export function count(f: Figures, g: ReportGroup): void {
  if (g.shadow) {
    if (g.state === 'shadowed') {
      f.shadow.wouldHaveBeenHandedOver += g.count;
      add(f.shadow.amount, g.currency, g.amount);
    }
    return;
  }
  f.failures += g.count;
  if (g.handedOff || APPROVED_BY_FLEXCHARGE.has(g.state)) {
    f.handedOver += g.count;
    add(f.handedOverAmount, g.currency, g.amount);
  }
  if (!FINAL_STATES.has(g.state)) f.pending += g.count;
  else if (g.state === 'ineligible') {
    f.ineligible += g.count;
    const reason = g.ineligibleReason ?? 'unknown';
    f.ineligibleByReason[reason] = (f.ineligibleByReason[reason] ?? 0) + g.count;
  } else if (g.state === 'recovered') {
    f.recovered += g.count;
    add(f.recoveredAmount, g.currency, g.collected);
  } else if (g.state === 'released') f.expired += g.count;
  else if (g.state === 'declined') f.declined += g.count;
  else if (g.state === 'cancelled') f.cancelled += g.count;
  else if (g.state === 'conflict') {
    f.conflicts += g.count;
    add(f.conflictAmount, g.currency, g.collected);
  }
  if (g.refunded) {
    f.refunds += g.count;
    add(f.refundedAmount, g.currency, g.collected);
  }
  f.rescueRate = f.handedOver === 0 ? null : f.recovered / f.handedOver;
}

type KeyOf = (g: ReportGroup) => { key: string | null; label: string };

const KEYS: Record<BreakdownName, KeyOf> = {
  site: (g) => ({ key: g.siteId, label: g.siteUrl ?? (g.siteId ? g.siteId : 'no site') }),
  descriptor: (g) => ({ key: g.descriptor, label: g.descriptor ?? 'no descriptor' }),
  declineCode: (g) => ({ key: g.declineCode, label: g.declineCode ?? 'no code' }),
  flow: (g) => ({ key: g.flow, label: g.flow ?? 'no flow' }),
  channel: (g) => ({ key: g.channel, label: g.channel ?? 'renewal' }),
  day: (g) => ({ key: g.day, label: g.day ?? 'no day' }),
};

/**
 * The report of the groups a filter selected: the totals and every breakdown folded from groupings
 * of the same rows, so each breakdown adds up to the totals. Days run from `from` to `to` with no gap, so a
 * chart shows a quiet day as zero rather than skipping it.
 */
export function buildReport(
  filter: LedgerFilter & { environment: FlexChargeEnvironment },
  groups: readonly ReportGroup[],
): Report {
  const totals = emptyFigures();
  const maps = Object.fromEntries(BREAKDOWNS.map((b) => [b, new Map<string | null, Breakdown>()])) as Record<
    BreakdownName,
    Map<string | null, Breakdown>
  >;
  for (const day of daysOf(filter.from, filter.to))
    maps.day.set(day, { key: day, label: day, figures: emptyFigures() });
  for (const g of groups) {
    if (g.grouping === TOTALS_FROM) count(totals, g);
    for (const name of BREAKDOWNS_OF[g.grouping]) {
      const { key, label } = KEYS[name](g);
      let entry = maps[name].get(key);
      if (!entry) {
        entry = { key, label, figures: emptyFigures() };
        maps[name].set(key, entry);
      }
      count(entry.figures, g);
    }
  }
  const sorted = (name: BreakdownName) =>
    [...maps[name].values()].sort((a, b) =>
      name === 'day' ? a.label.localeCompare(b.label) : b.figures.failures - a.figures.failures,
    );
  return {
    merchantId: filter.merchantId,
    environment: filter.environment,
    from: filter.from.toISOString(),
    to: filter.to.toISOString(),
    totals,
    by: Object.fromEntries(BREAKDOWNS.map((b) => [b, sorted(b)])) as Record<BreakdownName, Breakdown[]>,
  };
}

/** The UTC days the period touches, `YYYY-MM-DD`. */
export function daysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  // Capped: a period of years charts by day no better than a month, and the array stays small.
  for (let t = start; t < to.getTime() && days.length < 800; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
