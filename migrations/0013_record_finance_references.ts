import { type Kysely, sql } from 'kysely';

// What finance reconciles a rescue with: when it was handed to FlexCharge, the billing engine's
// reference of the write-back (an invoice payment or a payment record), and for a conflict the
// refund's reference and time. Plus, per engine connection, how a rescued payment is written back:
// `paid_out_of_band` (the invoice marked paid, with metadata) or `payment_record` (Stripe's payment
// records API: the invoice shows a payment processed by FlexCharge).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('rescues')
    .addColumn('handed_off_at', 'timestamptz')
    .addColumn('write_back_reference', 'text')
    .addColumn('refund_reference', 'text')
    .addColumn('refunded_at', 'timestamptz')
    .execute();
  // Rescues handed over before this migration: the first event that entered `held` or `challenged`.
  await sql`
    update flexcharge_mit.rescues r set handed_off_at = e.at
    from (
      select rescue_id, min(at) as at from flexcharge_mit.rescue_events
      where to_state in ('held', 'challenged', 'holding') group by rescue_id
    ) e
    where e.rescue_id = r.id and r.handed_off_at is null
  `.execute(db);
  await db.schema
    .withSchema('flexcharge_mit')
    .alterTable('merchant_engine_connections')
    .addColumn('write_back_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('paid_out_of_band')
        .check(sql`write_back_mode in ('paid_out_of_band', 'payment_record')`),
    )
    .execute();
}
