import { type Kysely, sql } from 'kysely';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { RescueState } from '../core/rescue-states.js';
import type { LedgerFilter } from '../reporting/ledger-filter.js';
import { buildReport, GROUPINGS, type Grouping, type Report, type ReportGroup } from '../reporting/report.js';
import { fromLedger, whereLedger } from './ledger-query.js';
import type { Database } from './schema.js';

/** The column each grouping groups by, in `GROUPINGS` order (the order of `grouping(...)`'s bits). */
const KEY_COLUMNS: Record<Grouping, string> = {
  day: 'day',
  site: 'site_id',
  declineCode: 'decline_code',
  flow: 'flow',
  channel: 'order_source',
};

/**
 * `grouping(day, site_id, ...)` sets a bit for each column a group is NOT grouped by, the first
 * column's the highest: so a grouping's number has every bit but its own.
 */
const GROUPING_OF_ID = new Map<number, Grouping>(
  GROUPINGS.map((g, i) => [(1 << GROUPINGS.length) - 1 - (1 << (GROUPINGS.length - 1 - i)), g]),
);

interface GroupRow {
  grouping_id: number;
  day: string | null;
  site_id: string | null;
  site_url: string | null;
  statement_descriptor: string | null;
  decline_code: string | null;
  flow: string | null;
  order_source: string | null;
  currency: string | null;
  state: RescueState;
  ineligible_reason: string | null;
  shadow: boolean;
  handed_off: boolean;
  refunded: boolean;
  n: number;
  amount: number;
  collected: number;
}

/**
 * The report of one environment (sandbox and production are separate accounts and are never
 * mixed): the ledger's rows under the same filter, grouped in the database once per breakdown (see
 * `GROUPINGS`) by everything a figure depends on, so a month of every merchant comes back as a few
 * thousand groups, not its rows. The day is grouped as a date and the site's URL and descriptor are
 * joined after grouping: formatting a date and hashing two more texts per row cost more than the
 * rest of the grouping (bench/README.md, "Reporting at scale").
 */
export async function loadReport(
  db: Kysely<Database>,
  filter: LedgerFilter & { environment: FlexChargeEnvironment },
): Promise<Report> {
  const facts = whereLedger(
    fromLedger(db).select([
      sql<string>`(r.failed_at at time zone 'UTC')::date`.as('day'),
      'r.site_id',
      'r.decline_code',
      'r.flow',
      'r.order_source',
      'r.currency',
      'r.state',
      'r.ineligible_reason',
      sql<boolean>`r.mode is not distinct from 'shadow'`.as('shadow'),
      sql<boolean>`r.handed_off_at is not null`.as('handed_off'),
      sql<boolean>`r.refunded_at is not null`.as('refunded'),
      'r.amount',
      sql<number>`coalesce(r.collected_amount, r.amount)`.as('collected'),
    ]),
    filter,
  );
  const keys = GROUPINGS.map((g) => sql.ref(KEY_COLUMNS[g]));
  const grouped = sql<GroupRow>`
    select g.grouping_id, to_char(g.day, 'YYYY-MM-DD') as day, g.site_id, s.url as site_url,
      s.statement_descriptor, g.decline_code, g.flow, g.order_source, g.currency, g.state,
      g.ineligible_reason, g.shadow, g.handed_off, g.refunded, g.n, g.amount, g.collected
    from (
      select grouping(${sql.join(keys)}) as grouping_id, ${sql.join(keys)},
        currency, state, ineligible_reason, shadow, handed_off, refunded,
        count(*)::int as n,
        coalesce(sum(amount), 0)::bigint as amount,
        coalesce(sum(collected), 0)::bigint as collected
      from (${facts}) as f
      group by currency, state, ineligible_reason, shadow, handed_off, refunded,
        grouping sets (${sql.join(keys.map((k) => sql`(${k})`))})
    ) as g
    left join flexcharge_mit.merchant_sites as s on s.id = g.site_id`;
  const { rows } = await db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      // The planner multiplies the columns' distinct values and expects about a group per row (the
      // figure columns are correlated: a reason only with `ineligible`, a refund only with
      // `conflict`), so within the default work_mem it sorts (spilling to disk) instead of hashing;
      // the real groups are a few thousand and take a few MB (bench/README.md).
      await sql`set local work_mem = '64MB'`.execute(trx);
      return grouped.execute(trx);
    });
  const groups: ReportGroup[] = rows.map((r) => ({
    grouping: GROUPING_OF_ID.get(Number(r.grouping_id)) as Grouping,
    day: r.day,
    siteId: r.site_id,
    siteUrl: r.site_url,
    descriptor: r.statement_descriptor,
    declineCode: r.decline_code,
    flow: r.flow,
    channel: r.order_source,
    currency: r.currency,
    state: r.state,
    ineligibleReason: r.ineligible_reason,
    shadow: r.shadow,
    handedOff: r.handed_off,
    refunded: r.refunded,
    count: Number(r.n),
    amount: Number(r.amount),
    collected: Number(r.collected),
  }));
  return buildReport(filter, groups);
}
