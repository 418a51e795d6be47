import { type Kysely, sql } from 'kysely';

// Frozen copies of the lists at the time of this migration (see 0002 and 0007): a migration must not
// change when the code's constants do.
const RESCUE_STATES = [
  'received',
  'ineligible',
  'evaluating',
  'declined',
  'holding',
  'held',
  'challenged',
  'approved',
  'recovered',
  'releasing',
  'released',
  'cancelling',
  'cancelled',
  'refunding',
  'conflict',
  'needs_attention',
  'shadowed',
];
const TRANSMISSION_STATES = ['pending', 'sent', 'failed', 'skipped', 'shadowed'];
const ENVIRONMENTS = ['sandbox', 'production'];
const FLOWS = ['mit', 'cit_website', 'cit_call_center'];
const RUN_MODES = ['on', 'shadow'];
const ORDER_SOURCES = ['website', 'call_center'];
const inList = (values: string[]) => sql.join(values.map((v) => sql.lit(v)));

// Every work row carries the merchant context it was handled under: the flow, the FlexCharge
// environment (pinned when the rescue is first prepared, so switching the flow's environment never
// strands a rescue started in the other one), the mode, the site and the order source.
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  const siteFk = 'flexcharge_mit.merchant_sites.id';

  // Which metadata keys name a transaction's site and its order channel, per merchant.
  await s
    .alterTable('merchants')
    .addColumn('site_metadata_key', 'text', (c) => c.notNull().defaultTo('flexcharge_site'))
    .addColumn('order_channel_metadata_key', 'text', (c) => c.notNull().defaultTo('order_channel'))
    .execute();

  // The site used when nothing on the transaction names one; at most one per merchant.
  await s
    .alterTable('merchant_sites')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await s
    .createIndex('merchant_sites_one_default')
    .on('merchant_sites')
    .column('merchant_id')
    .unique()
    .where(sql.ref('is_default'), '=', true)
    .execute();

  await sql`alter table flexcharge_mit.rescues drop constraint if exists rescues_state_check`.execute(db);
  await s
    .alterTable('rescues')
    .addCheckConstraint('rescues_state_check', sql`state in (${inList(RESCUE_STATES)})`)
    .execute();
  await s
    .alterTable('rescues')
    .addColumn('flow', 'text', (c) =>
      c
        .notNull()
        .defaultTo('mit')
        .check(sql`flow in (${inList(FLOWS)})`),
    )
    .addColumn('environment', 'text', (c) => c.check(sql`environment in (${inList(ENVIRONMENTS)})`))
    .addColumn('mode', 'text', (c) => c.check(sql`mode in (${inList(RUN_MODES)})`))
    .addColumn('site_id', 'uuid', (c) => c.references(siteFk).onDelete('set null'))
    .addColumn('order_source', 'text', (c) => c.check(sql`order_source in (${inList(ORDER_SOURCES)})`))
    // A CIT evaluate answered CHALLENGE: the merchant's checkout presents it with this key.
    .addColumn('order_session_key', 'text')
    // Shadow mode: the complete evaluate request that would have been sent (card token redacted).
    .addColumn('shadow_request', 'jsonb')
    .execute();
  // Rows from before ran MIT in the single merchant's one environment; which one was not recorded.

  await sql`alter table flexcharge_mit.transmissions drop constraint if exists transmissions_state_check`.execute(
    db,
  );
  await s
    .alterTable('transmissions')
    .addCheckConstraint('transmissions_state_check', sql`state in (${inList(TRANSMISSION_STATES)})`)
    .execute();
  await s
    .alterTable('transmissions')
    .addColumn('flow', 'text', (c) => c.check(sql`flow in (${inList(FLOWS)})`))
    .addColumn('environment', 'text', (c) => c.check(sql`environment in (${inList(ENVIRONMENTS)})`))
    .addColumn('site_id', 'uuid', (c) => c.references(siteFk).onDelete('set null'))
    .addColumn('order_source', 'text', (c) => c.check(sql`order_source in (${inList(ORDER_SOURCES)})`))
    // Shadow mode: the /transmit request that would have been sent.
    .addColumn('shadow_request', 'jsonb')
    .execute();

  // A FlexCharge webhook is verified with one environment's subscriber key: that is its environment.
  await s
    .alterTable('inbox_events')
    .addColumn('environment', 'text', (c) => c.check(sql`environment in (${inList(ENVIRONMENTS)})`))
    .execute();

  // Who a call was made for, under which flow and site (the environment is already there).
  await s
    .alterTable('flexcharge_calls')
    .addColumn('merchant_id', 'text')
    .addColumn('flow', 'text')
    .addColumn('site_id', 'uuid')
    .execute();
}
