import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { migrateToLatest, pendingMigrations } from '../../plugin/storage/migrate.js';
import { createTestDatabase } from '../support/test-database.js';

describe('storage', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('puts every table in the flexcharge_mit schema', async () => {
    const { rows } = await sql<{ table_schema: string; table_name: string }>`
      select table_schema, table_name from information_schema.tables
      where table_name in ('flexcharge_calls', 'kysely_migration')`.execute(handle.db);
    assert.deepEqual(
      rows.map((r) => r.table_schema),
      rows.map(() => 'flexcharge_mit'),
    );
    assert.equal(rows.length, 2);
  });

  it('has no pending migrations after migrating, and migrating again changes nothing', async () => {
    assert.deepEqual(await pendingMigrations(handle.db), []);
    assert.deepEqual(await migrateToLatest(handle.db), []);
  });

  it('reads bigint columns back as numbers and runs transactions', async () => {
    const inserted = await handle.db.transaction().execute((trx) =>
      trx
        .insertInto('flexcharge_mit.flexcharge_calls')
        .values({
          started_at: new Date('2026-01-01T00:00:00Z'),
          environment: 'local',
          operation: 'evaluate',
          method: 'POST',
          path: '/v1/evaluate',
          attempt: 1,
          outcome: 'ok',
          duration_ms: 12,
        })
        .returning(['id', 'started_at'])
        .executeTakeFirstOrThrow(),
    );
    assert.equal(typeof inserted.id, 'number');
    assert.ok(inserted.started_at instanceof Date);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int8 as n from flexcharge_mit.flexcharge_calls`.execute(handle.db);
    assert.equal(rows[0]?.n, 1);
  });

  it('keeps merchant parts tied to a merchant and their modes to the frozen lists', async () => {
    const now = new Date();
    await assert.rejects(
      handle.db
        .insertInto('flexcharge_mit.merchant_flows')
        .values({
          merchant_id: 'ghost',
          flow: 'mit',
          mode: 'on',
          environment: 'sandbox',
          created_at: now,
          updated_at: now,
        })
        .execute(),
      /foreign key/,
    );
    await handle.db
      .insertInto('flexcharge_mit.merchants')
      .values({ id: 'm1', name: 'M1', created_at: now, updated_at: now })
      .execute();
    await assert.rejects(
      handle.db
        .insertInto('flexcharge_mit.merchant_flows')
        .values({
          merchant_id: 'm1',
          flow: 'mit',
          mode: 'maybe' as never,
          environment: 'sandbox',
          created_at: now,
          updated_at: now,
        })
        .execute(),
      /check constraint/,
    );
    await assert.rejects(
      handle.db
        .insertInto('flexcharge_mit.merchant_sites')
        .values({
          merchant_id: 'm1',
          url: null,
          statement_descriptor: null,
          flexcharge_sandbox_site_id: null,
          flexcharge_production_site_id: null,
          mit_enabled: true,
          cit_website_enabled: true,
          cit_call_center_enabled: true,
          created_at: now,
          updated_at: now,
        })
        .execute(),
      /merchant_sites_identified/,
    );
    await handle.db
      .insertInto('flexcharge_mit.merchant_sites')
      .values({
        merchant_id: 'm1',
        url: null,
        statement_descriptor: null,
        flexcharge_sandbox_site_id: null,
        flexcharge_production_site_id: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
        mit_enabled: true,
        cit_website_enabled: true,
        cit_call_center_enabled: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
});

describe('migration 0009: a FlexCharge site id per environment', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase({ upTo: '0008_carry_merchant_context' });
  });
  after(() => handle.close());

  it("copies a site's one id into both environments, and still refuses a site known by nothing", async () => {
    const siteId = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
    // The rows as 0008 left them: one site id per site, sent in whichever environment ran.
    await sql`insert into flexcharge_mit.merchants (id, name, created_at, updated_at)
      values ('acme', 'Acme', now(), now())`.execute(handle.db);
    await sql`insert into flexcharge_mit.merchant_sites
        (id, merchant_id, url, flexcharge_site_id, created_at, updated_at)
      values ('00000000-0000-4000-8000-000000000001', 'acme', null, ${siteId}, now(), now()),
        ('00000000-0000-4000-8000-000000000002', 'acme', 'https://hats.acme.test', null, now(), now())`.execute(
      handle.db,
    );
    await migrateToLatest(handle.db);
    assert.deepEqual(await pendingMigrations(handle.db), []);
    const rows = await handle.db
      .selectFrom('flexcharge_mit.merchant_sites')
      .select(['url', 'flexcharge_sandbox_site_id', 'flexcharge_production_site_id'])
      .orderBy('id')
      .execute();
    assert.deepEqual(rows, [
      { url: null, flexcharge_sandbox_site_id: siteId, flexcharge_production_site_id: siteId },
      {
        url: 'https://hats.acme.test',
        flexcharge_sandbox_site_id: null,
        flexcharge_production_site_id: null,
      },
    ]);
    const { rows: columns } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'flexcharge_mit' and table_name = 'merchant_sites' and column_name like 'flexcharge%'
      order by column_name`.execute(handle.db);
    assert.deepEqual(
      columns.map((c) => c.column_name),
      ['flexcharge_production_site_id', 'flexcharge_sandbox_site_id'],
    );
    await assert.rejects(
      sql`update flexcharge_mit.merchant_sites set flexcharge_sandbox_site_id = null,
        flexcharge_production_site_id = null where url is null`.execute(handle.db),
      /merchant_sites_identified/,
    );
  });
});

describe('migration 0013: the hand-off time of rescues handed over before it', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase({ upTo: '0012_create_admin_sessions' });
  });
  after(() => handle.close());

  it('is the first entry into held (or challenged) in the history; never handed over stays null', async () => {
    const rescue = (id: string, invoice: string, state: string) => sql`
      insert into flexcharge_mit.rescues (id, merchant_id, engine, invoice_id, state, failed_at, created_at, updated_at)
      values (${id}, 'm', 'stripe', ${invoice}, ${state}, now(), now(), now())`;
    const event = (id: string, to: string, at: string) => sql`
      insert into flexcharge_mit.rescue_events (rescue_id, at, to_state, note)
      values (${id}, ${at}::timestamptz, ${to}, 'x')`;
    const held = '00000000-0000-4000-8000-0000000000a1';
    const never = '00000000-0000-4000-8000-0000000000a2';
    await rescue(held, 'in_a', 'recovered').execute(handle.db);
    await rescue(never, 'in_b', 'ineligible').execute(handle.db);
    await event(held, 'received', '2026-10-01T10:00:00Z').execute(handle.db);
    await event(held, 'held', '2026-10-01T10:00:05Z').execute(handle.db);
    await event(held, 'needs_attention', '2026-10-02T10:00:00Z').execute(handle.db);
    await event(held, 'held', '2026-10-03T10:00:00Z').execute(handle.db);
    await event(never, 'ineligible', '2026-10-01T10:00:00Z').execute(handle.db);
    await migrateToLatest(handle.db);
    const rows = await handle.db
      .selectFrom('flexcharge_mit.rescues')
      .select(['id', 'handed_off_at'])
      .orderBy('id')
      .execute();
    assert.deepEqual(rows, [
      { id: held, handed_off_at: new Date('2026-10-01T10:00:05Z') },
      { id: never, handed_off_at: null },
    ]);
  });
});
