import { type ExpressionBuilder, type Kysely, type Nullable, type SelectQueryBuilder, sql } from 'kysely';
import { ValidationError } from '../core/errors.js';
import type { FlexChargeEnvironment, MerchantFlow, OrderSource } from '../core/merchant-settings.js';
import { FINAL_STATES, type RescueState } from '../core/rescue-states.js';
import type { LedgerFilter, LedgerMode } from '../reporting/ledger-filter.js';
import type { DatabaseHandle } from './database.js';
import type { Database, MerchantSitesTable, RescuesTable } from './schema.js';

/**
 * One rescue as finance reconciles it: what was handed to FlexCharge, on which site and descriptor,
 * what came of it, and the references to find it again in FlexCharge and the billing engine.
 */
export interface LedgerRow {
  readonly id: string;
  readonly merchantId: string;
  readonly siteId: string | null;
  readonly siteUrl: string | null;
  readonly statementDescriptor: string | null;
  readonly flow: MerchantFlow;
  /** Where the order came from (`website`, `call_center`); null for a renewal (MIT). */
  readonly channel: OrderSource | null;
  /** Null until the rescue is prepared (its environment is pinned then). */
  readonly environment: FlexChargeEnvironment | null;
  readonly mode: LedgerMode;
  readonly invoiceId: string;
  readonly subscriptionId: string | null;
  readonly customerId: string | null;
  /** Minor units of `currency` (lower-case ISO 4217, as Stripe writes it). */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly declineCode: string | null;
  readonly declineMessage: string | null;
  readonly flexchargeOrderId: string | null;
  readonly confirmationId: string | null;
  readonly failedAt: string;
  readonly handedOffAt: string | null;
  readonly state: RescueState;
  readonly ineligibleReason: string | null;
  /** When the rescue reached its final state; null while it is not final. */
  readonly finalAt: string | null;
  /** What FlexCharge said it collected, in `currency`. */
  readonly collectedAmount: number | null;
  /** The billing engine's reference of the write-back (invoice payment or payment record). */
  readonly writeBackReference: string | null;
  readonly refundReference: string | null;
  readonly refundedAt: string | null;
}

/** The ledger's columns, in CSV order; the JSON rows carry the same fields. */
export const LEDGER_COLUMNS = [
  'id',
  'merchantId',
  'siteId',
  'siteUrl',
  'statementDescriptor',
  'flow',
  'channel',
  'environment',
  'mode',
  'invoiceId',
  'subscriptionId',
  'customerId',
  'amount',
  'currency',
  'declineCode',
  'declineMessage',
  'flexchargeOrderId',
  'confirmationId',
  'failedAt',
  'handedOffAt',
  'state',
  'ineligibleReason',
  'finalAt',
  'collectedAmount',
  'writeBackReference',
  'refundReference',
  'refundedAt',
] as const satisfies readonly (keyof LedgerRow)[];

/** The rescues as `r`, their site as `s` (left-joined: a rescue may name no site). */
type LedgerTables = Database & { r: RescuesTable; s: Nullable<MerchantSitesTable> };
type From = 'r' | 's';
export type LedgerScope<O> = SelectQueryBuilder<LedgerTables, From, O>;

/**
 * The filter as SQL, shared by the ledger and the report so both count the same rows. Rows from
 * before a mode was pinned (null) are live: only `shadow` rows are set apart.
 */
export function whereLedger<O>(query: LedgerScope<O>, filter: LedgerFilter): LedgerScope<O> {
  let q = query.where('r.failed_at', '>=', filter.from).where('r.failed_at', '<', filter.to);
  if (filter.merchantId !== null) q = q.where('r.merchant_id', '=', filter.merchantId);
  if (filter.environment) q = q.where('r.environment', '=', filter.environment);
  if (filter.mode === 'shadow') q = q.where('r.mode', '=', 'shadow');
  if (filter.mode === 'live') q = q.where(sql<boolean>`r.mode is distinct from 'shadow'`);
  if (filter.siteId) q = q.where('r.site_id', '=', filter.siteId);
  if (filter.flow) q = q.where('r.flow', '=', filter.flow);
  if (filter.channel) q = q.where('r.order_source', '=', filter.channel);
  if (filter.state) q = q.where('r.state', '=', filter.state);
  if (filter.currency) q = q.where('r.currency', '=', filter.currency);
  if (filter.declineCode) q = q.where('r.decline_code', '=', filter.declineCode);
  return q;
}

/** The rescues joined to their site, before any filter. */
export function fromLedger(db: Kysely<Database>) {
  return db
    .selectFrom('flexcharge_mit.rescues as r')
    .leftJoin('flexcharge_mit.merchant_sites as s', 's.id', 'r.site_id');
}

const utcMicros = (eb: ExpressionBuilder<LedgerTables, From>) =>
  sql<string>`to_char(${eb.ref('r.failed_at')} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function selectLedger(db: Kysely<Database>, filter: LedgerFilter) {
  return whereLedger(
    fromLedger(db).select((eb) => [
      'r.id',
      'r.merchant_id',
      'r.site_id',
      's.url as site_url',
      's.statement_descriptor',
      'r.flow',
      'r.order_source',
      'r.environment',
      'r.mode',
      'r.invoice_id',
      'r.subscription_id',
      'r.customer_id',
      'r.amount',
      'r.currency',
      'r.decline_code',
      'r.decline_message',
      'r.flexcharge_order_id',
      'r.confirmation_id',
      'r.failed_at',
      'r.handed_off_at',
      'r.state',
      'r.ineligible_reason',
      'r.outcome_at',
      'r.updated_at',
      'r.collected_amount',
      'r.write_back_reference',
      'r.refund_reference',
      'r.refunded_at',
      // The exact failure time (microseconds), for the keyset cursor: a Date would round it.
      utcMicros(eb).as('cursor_at'),
    ]),
    filter,
  )
    .orderBy('r.failed_at')
    .orderBy('r.id');
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof selectLedger>['execute']>>[number];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const num = (n: number | string | null) => (n === null ? null : Number(n));

function toLedgerRow(r: SelectedRow): LedgerRow {
  const final = FINAL_STATES.has(r.state);
  return {
    id: r.id,
    merchantId: r.merchant_id,
    siteId: r.site_id,
    siteUrl: r.site_url,
    statementDescriptor: r.statement_descriptor,
    flow: r.flow,
    channel: r.order_source,
    environment: r.environment,
    mode: r.mode === 'shadow' ? 'shadow' : 'live',
    invoiceId: r.invoice_id,
    subscriptionId: r.subscription_id,
    customerId: r.customer_id,
    amount: num(r.amount),
    currency: r.currency,
    declineCode: r.decline_code,
    declineMessage: r.decline_message,
    flexchargeOrderId: r.flexcharge_order_id,
    confirmationId: r.confirmation_id,
    failedAt: iso(r.failed_at) as string,
    handedOffAt: iso(r.handed_off_at),
    state: r.state,
    ineligibleReason: r.ineligible_reason,
    // Final states that record no outcome time (ineligible, shadowed) ended at their last change.
    finalAt: final ? iso(r.outcome_at ?? r.updated_at) : null,
    collectedAmount: num(r.collected_amount),
    writeBackReference: r.write_back_reference,
    refundReference: r.refund_reference,
    refundedAt: iso(r.refunded_at),
  };
}

/** The opaque cursor: where the last row of a page stood in (failed_at, id) order. */
function encodeCursor(r: SelectedRow): string {
  return Buffer.from(JSON.stringify([r.cursor_at, r.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof at === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) &&
      typeof id === 'string' &&
      /^[0-9a-f-]{36}$/.test(id)
    )
      return [at, id];
  } catch {}
  throw new ValidationError('invalid query: cursor', { cursor: ['not a cursor this ledger gave'] });
}

export interface LedgerPage {
  readonly rows: LedgerRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** One page of the ledger in (failed_at, id) order, after `cursor`. */
export async function ledgerPage(
  db: Kysely<Database>,
  filter: LedgerFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<LedgerPage> {
  let q = selectLedger(db, filter);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    q = q.where(sql<boolean>`(r.failed_at, r.id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q.limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown.at(-1);
  return { rows: shown.map(toLedgerRow), nextCursor: more && last ? encodeCursor(last) : null };
}

const BATCH = 500;

/**
 * Every row of the ledger, handed to `onBatch` a few hundred at a time; the next batch is read only
 * when `onBatch` has finished (a writer waiting for its socket to drain), so memory stays flat
 * however many rows there are. On PostgreSQL the rows come from one server-side cursor in a
 * read-only transaction (one consistent snapshot); PGlite is one session shared with the worker, so
 * there a long transaction would stall everything: it reads keyset pages instead.
 */
export async function forEachLedgerBatch(
  database: Pick<DatabaseHandle, 'db' | 'kind'>,
  filter: LedgerFilter,
  onBatch: (rows: LedgerRow[]) => Promise<void>,
): Promise<void> {
  if (database.kind === 'pglite') {
    let cursor: string | undefined;
    do {
      const page = await ledgerPage(database.db, filter, { cursor, limit: BATCH });
      if (page.rows.length) await onBatch(page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return;
  }
  await database.db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`declare ledger_rows no scroll cursor for ${selectLedger(trx, filter)}`.execute(trx);
      for (;;) {
        const { rows } = await sql<SelectedRow>`fetch forward ${sql.lit(BATCH)} from ledger_rows`.execute(
          trx,
        );
        if (rows.length === 0) break;
        await onBatch(rows.map(toLedgerRow));
      }
      await sql`close ledger_rows`.execute(trx);
    });
}
