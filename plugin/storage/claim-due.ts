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

/** How much more of one merchant's work a claimer can take now (its limit less what it runs). */
export interface MerchantRoom {
  readonly merchantId: string;
  readonly room: number;
}

/** Shares of a claim between merchants: each one's limit, and the room left to those already busy. */
export interface ClaimFairness {
  readonly perMerchant: number;
  readonly rooms: readonly MerchantRoom[];
}

/** `claimDueFairly` when shares are given, else `claimDue`. */
export function claimRows<Row>(
  db: Kysely<Database>,
  input: ClaimInput,
  fairness: ClaimFairness | undefined,
): Promise<Row[]> {
  return fairness ? claimDueFairly<Row>(db, { ...input, ...fairness }) : claimDue<Row>(db, input);
}

/**
 * `claimDue`, but fair between merchants: among the due rows (a bounded window of the oldest), each
 * merchant's first row is taken before any merchant's second, and no merchant gets more than its
 * room (`rooms`; a merchant not listed has `perMerchant`). So a merchant with thousands of due
 * rows cannot fill every slot while another's single rescue waits behind them.
 */
export async function claimDueFairly<Row>(
  db: Kysely<Database>,
  input: ClaimInput & ClaimFairness,
): Promise<Row[]> {
  const { rows } = await fairClaim<Row>(input).execute(db);
  return rows;
}

/** The statement `claimDueFairly` runs (exported for its query-plan test). */
export function fairClaim<Row>(input: ClaimInput & ClaimFairness) {
  const table = sql.table(`${SCHEMA}.${input.table}`);
  const due = sql.ref(input.dueColumn);
  const leaseEnd = new Date(input.now.getTime() + input.leaseMs);
  // A window several claims deep, so merchants further back in the queue are seen; read through
  // the partial due index like every claim (test/storage/claim-plans.test.ts).
  const window = Math.max(input.limit * 4, 200);
  const rooms = JSON.stringify(input.rooms.map((r) => ({ merchant_id: r.merchantId, room: r.room })));
  return sql<Row>`
    with candidates as (
      select id, row_number() over (partition by merchant_id order by due_at, id) as turn, due_at, merchant_id
      from (${dueRows({ ...input, limit: window, columns: sql`id, merchant_id, ${due} as due_at` })}) d
    ),
    allowed as (
      select c.id, c.turn, c.due_at from candidates c
      left join jsonb_to_recordset(${rooms}::jsonb) as r(merchant_id text, room int) using (merchant_id)
      where c.turn <= coalesce(r.room, ${input.perMerchant})
    )
    update ${table} set locked_by = ${input.workerId}, locked_until = ${leaseEnd}${input.alsoSet ?? sql``}
    where id in (
      select t.id from ${table} t join allowed a on a.id = t.id
      -- Checked again under the row lock: another worker may have taken and finished it meanwhile.
      where ${input.pending} and t.${due} <= ${input.now}
        and (t.locked_until is null or t.locked_until < ${input.now})
      order by a.turn, a.due_at, t.id
      limit ${input.limit}
      for update of t skip locked)
    returning *`;
}

/**
 * The ids a claim takes: due, not leased, oldest first. Each table has a partial index on its due
 * column whose predicate is the claim's `pending` condition (migration 0016), so a claim reads only
 * live work however many finished rows the table keeps; `test/storage/claim-plans.test.ts` checks
 * the plans with EXPLAIN.
 */
export function dueRows(
  input: Pick<ClaimInput, 'table' | 'dueColumn' | 'pending' | 'now' | 'limit'> & {
    /** What to select; default the id alone. */
    columns?: RawBuilder<unknown>;
  },
) {
  const table = sql.table(`${SCHEMA}.${input.table}`);
  const due = sql.ref(input.dueColumn);
  return sql`
      select ${input.columns ?? sql`id`} from ${table}
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
