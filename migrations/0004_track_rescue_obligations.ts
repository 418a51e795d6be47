import { type Kysely, sql } from 'kysely';

// What a rescue still owes the outside world, so a parked or settled rescue can still honour it:
// a hold on the invoice not yet given back, an order FlexCharge may still be working. Plus the
// bookkeeping that makes a step safe to interrupt: a wake that arrived while the row was leased, the
// idempotency key of the write-back in flight, and what FlexCharge said it collected.
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  await s
    .alterTable('rescues')
    .addColumn('hold_active', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('order_open', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('release_as', 'text', (c) => c.check(sql`release_as in ('released', 'declined')`))
    .addColumn('wake_pending', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('write_back_key', 'text')
    .addColumn('collected_amount', 'bigint')
    .addColumn('release_fallback', 'text')
    .execute();
  // Rows from before: a hold was live if it was applied and the rescue had not ended; an order was
  // open if FlexCharge had one and no final word had been recorded.
  await sql`
    update flexcharge_mit.rescues set
      hold_active = hold_applied_at is not null
        and state not in ('ineligible', 'declined', 'recovered', 'released', 'cancelled', 'conflict'),
      order_open = flexcharge_order_id is not null and state in ('evaluating', 'holding', 'held', 'cancelling', 'releasing')
        and coalesce(flexcharge_status, '') not in ('APPROVED', 'EXPIRED', 'DECLINED', 'CANCELLED', 'RETURNED')
  `.execute(db);
}
