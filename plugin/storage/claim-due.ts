import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Database, SCHEMA } from './schema.js';

export type ClaimableTable = 'inbox_events' | 'rescues' | 'transmissions';

/**
 * Claims up to `limit` due rows of a work table for one worker, graphile-worker style.
 *
 * The inner select takes row locks with `for update skip locked`, so concurrent workers (other
 * processes or instances) each get different rows without waiting on one another; the outer update
 * stamps a lease (`locked_by`, `locked_until`) that outlives the transaction, so a row stays ours while
 * the slow outside calls run, and returns to the pool by itself if this worker dies.
 */
export interface ClaimInput {
  table: ClaimableTable;
  dueColumn: string;
  /** Extra condition on top of "due and not leased", e.g. `processed_at is null`; a partial index's predicate. */
  pending: RawBuilder<unknown>;
  workerId: string;
  now: Date;
  leaseMs: number;
  limit: number;
  /** More assignments made as the row is claimed, e.g. `, wake_pending = false`. */
  alsoSet?: RawBuilder<unknown>;
}

export async function claimDue<Row>(db: Kysely<Database>, input: ClaimInput): Promise<Row[]> {
  const table = sql.table(`${SCHEMA}.${input.table}`);
  const leaseEnd = new Date(input.now.getTime() + input.leaseMs);
  const { rows } = await sql<Row>`
    update ${table} set locked_by = ${input.workerId}, locked_until = ${leaseEnd}${input.alsoSet ?? sql``}
    where id in (${dueRows(input)} for update skip locked)
    returning *`.execute(db);
  return rows;
}

/**
 * The ids a claim takes: due, not leased, oldest first. Each table has a partial index on its due
 * column whose predicate is the claim's `pending` condition (migration 0016), so a claim reads only
 * live work however many finished rows the table keeps; `test/storage/claim-plans.test.ts` checks
 * the plans with EXPLAIN.
 */
export function dueRows(input: Pick<ClaimInput, 'table' | 'dueColumn' | 'pending' | 'now' | 'limit'>) {
  const table = sql.table(`${SCHEMA}.${input.table}`);
  const due = sql.ref(input.dueColumn);
  return sql`
      select id from ${table}
      where ${input.pending} and ${due} <= ${input.now}
        and (locked_until is null or locked_until < ${input.now})
      order by ${due}, id
      limit ${input.limit}`;
}

/**
 * Exponential backoff in SQL terms: 30 s × 2^attempts, at most an hour: an outside outage of
 * minutes costs a few quick retries, one of hours is retried hourly.
 */
export function backoffFrom(now: Date, attemptsColumn: string): RawBuilder<Date> {
  return sql<Date>`${now}::timestamptz + make_interval(secs => least(3600, 30 * power(2, least(${sql.ref(attemptsColumn)}, 10))))`;
}
