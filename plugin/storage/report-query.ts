import { type Kysely, sql } from 'kysely';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { LedgerFilter } from '../reporting/ledger-filter.js';
import { buildReport, type Report, type ReportGroup } from '../reporting/report.js';
import { fromLedger, whereLedger } from './ledger-query.js';
import type { Database } from './schema.js';

/**
 * The report of one environment (sandbox and production are separate accounts and are never
 * mixed): the ledger's rows under the same filter, grouped in the database by everything a figure
 * depends on, so a year of a large merchant comes back as a few thousand groups, not its rows.
 */
export async function loadReport(
  db: Kysely<Database>,
  filter: LedgerFilter & { environment: FlexChargeEnvironment },
): Promise<Report> {
  const rows = await whereLedger(
    fromLedger(db).select([
      sql<string>`to_char(r.failed_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
      'r.site_id',
      's.url as site_url',
      's.statement_descriptor',
      'r.decline_code',
      'r.flow',
      'r.order_source',
      'r.currency',
      'r.state',
      'r.ineligible_reason',
      sql<boolean>`r.mode is not distinct from 'shadow'`.as('shadow'),
      sql<boolean>`r.handed_off_at is not null`.as('handed_off'),
      sql<boolean>`r.refunded_at is not null`.as('refunded'),
      sql<number>`count(*)::int`.as('n'),
      sql<number>`coalesce(sum(r.amount), 0)::bigint`.as('amount'),
      sql<number>`coalesce(sum(coalesce(r.collected_amount, r.amount)), 0)::bigint`.as('collected'),
    ]),
    filter,
  )
    .groupBy(sql`1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13`)
    .execute();
  const groups: ReportGroup[] = rows.map((r) => ({
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
