import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RawBuilder, sql } from 'kysely';
import { dueRows, fairClaim } from '../../plugin/storage/claim-due.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { INBOX_CLAIM } from '../../plugin/storage/inbox-repository.js';
import { RESCUE_CLAIM } from '../../plugin/storage/rescue-repository.js';
import { TRANSMISSION_CLAIM } from '../../plugin/storage/transmission-repository.js';
import { createTestDatabase } from '../support/test-database.js';

/** Finished rows per table: months of history next to a little live work. */
const FINISHED = 100_000;
const LIVE = 20;
const now = new Date('2026-12-01T00:00:00Z');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * A claim must read its due rows through the table's partial index, never by scanning the table:
 * with a hundred thousand finished rows a sequential scan on every worker pass is what made a burst
 * slow down as the plugin aged. The planner chooses by statistics, so the tables are filled and
 * analyzed the way a long-running plugin's are.
 */
describe('claim query plans on large tables', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
    const db = handle.db;
    await sql`
      insert into flexcharge_mit.inbox_events
        (source, merchant_id, event_id, event_type, payload, received_at, next_attempt_at, processed_at)
      select 'stripe', 'm', 'evt_' || g, 'invoice.payment_failed', '{}'::jsonb, ${now}::timestamptz - interval '1 day',
             ${now}::timestamptz - interval '1 day', case when g <= ${LIVE} then null else ${now}::timestamptz end
      from generate_series(1, ${FINISHED + LIVE}) g`.execute(db);
    await sql`
      insert into flexcharge_mit.transmissions
        (merchant_id, engine, charge_id, succeeded, amount, currency, state, next_attempt_at, created_at)
      select 'm', 'stripe', 'ch_' || g, true, 1000, 'usd', case when g <= ${LIVE} then 'pending' else 'sent' end,
             case when g <= ${LIVE} then ${now}::timestamptz - interval '1 minute' else null end, ${now}::timestamptz
      from generate_series(1, ${FINISHED + LIVE}) g`.execute(db);
    await sql`
      insert into flexcharge_mit.rescues
        (merchant_id, engine, invoice_id, state, failed_at, next_action_at, created_at, updated_at)
      select 'm', 'stripe', 'in_' || g, case when g <= ${LIVE} then 'held' else 'recovered' end, ${now}::timestamptz,
             case when g <= ${LIVE} then ${now}::timestamptz - interval '1 minute' else null end,
             ${now}::timestamptz, ${now}::timestamptz
      from generate_series(1, ${FINISHED + LIVE}) g`.execute(db);
    await sql`analyze`.execute(db);
  });
  after(() => handle.close());

  /** Explains `query` and asserts it reads `table` through `index` and never scans it whole. */
  async function assertReadThrough(query: RawBuilder<unknown>, table: string, index: string): Promise<void> {
    const { rows } = await sql<{
      'QUERY PLAN': [{ Plan: PlanNode }];
    }>`explain (format json) ${query}`.execute(handle.db);
    const plan = nodes(rows[0]?.['QUERY PLAN'][0].Plan as PlanNode);
    const scans = plan.filter((n) => n['Relation Name'] === table);
    const shown = JSON.stringify(plan.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']]));
    assert.ok(
      scans.some((n) => n['Index Name'] === index),
      `${table} should be read through ${index}; plan: ${shown}`,
    );
    assert.ok(
      !scans.some((n) => n['Node Type'] === 'Seq Scan'),
      `${table} must not be scanned whole; plan: ${shown}`,
    );
  }

  for (const [claim, index] of [
    [INBOX_CLAIM, 'inbox_events_due_idx'],
    [TRANSMISSION_CLAIM, 'transmissions_due_idx'],
    [RESCUE_CLAIM, 'rescues_due_idx'],
  ] as const) {
    it(`claims ${claim.table} through ${index}`, async () => {
      const query = dueRows({ ...claim, now, limit: 10 });
      await assertReadThrough(query, claim.table, index);
      const due = await sql<{ id: unknown }>`${query}`.execute(handle.db);
      assert.equal(due.rows.length, 10);
    });

    it(`claims ${claim.table} fairly between merchants without scanning it whole`, async () => {
      const query = fairClaim({
        ...claim,
        now,
        limit: 10,
        workerId: 'plan',
        leaseMs: 60_000,
        perMerchant: 4,
        rooms: [{ merchantId: 'm', room: 2 }],
      });
      await assertReadThrough(query, claim.table, index);
    });
  }
});
