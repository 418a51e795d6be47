import { type Kysely, sql } from 'kysely';

// Frozen copies of the state lists at the time of this migration: a migration must not change when
// the code's constants do. A later migration that adds a state rewrites the check constraint.
const RESCUE_STATES = [
  'received',
  'ineligible',
  'evaluating',
  'declined',
  'holding',
  'held',
  'approved',
  'recovered',
  'releasing',
  'released',
  'cancelling',
  'cancelled',
  'refunding',
  'conflict',
  'needs_attention',
];
const inList = (values: string[]) => sql.join(values.map((v) => sql.lit(v)));

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');

  // Every verified webhook, once per (source, event id); the worker processes it later.
  await s
    .createTable('inbox_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addUniqueConstraint('inbox_events_source_event_id_key', ['source', 'event_id'])
    .execute();
  await s
    .createIndex('inbox_events_due_idx')
    .on('inbox_events')
    .column('next_attempt_at')
    .where(sql.ref('processed_at'), 'is', null)
    .execute();

  await s
    .createTable('rescues')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in (${inList(RESCUE_STATES)})`))
    .addColumn('ineligible_reason', 'text')
    .addColumn('amount', 'bigint')
    .addColumn('currency', 'char(3)')
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('failed_charge_id', 'text')
    .addColumn('decline_code', 'text')
    .addColumn('site', 'text')
    .addColumn('flexcharge_order_id', 'text')
    .addColumn('flexcharge_status', 'text')
    .addColumn('confirmation_id', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('hold_applied_at', 'timestamptz')
    .addColumn('previous_auto_advance', 'boolean')
    .addColumn('outcome_at', 'timestamptz')
    .addColumn('written_back_at', 'timestamptz')
    .addColumn('state_before_attention', 'text')
    .addColumn('next_action_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('rescues_merchant_engine_invoice_key', ['merchant_id', 'engine', 'invoice_id'])
    .execute();
  await s
    .createIndex('rescues_due_idx')
    .on('rescues')
    .column('next_action_at')
    .where(sql.ref('next_action_at'), 'is not', null)
    .execute();
  await s.createIndex('rescues_flexcharge_order_idx').on('rescues').column('flexcharge_order_id').execute();
  await s
    .createIndex('rescues_subscription_idx')
    .on('rescues')
    .columns(['merchant_id', 'subscription_id'])
    .execute();

  // Append-only history of each rescue, for finance and support.
  await s
    .createTable('rescue_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('rescue_id', 'uuid', (c) => c.notNull().references('flexcharge_mit.rescues.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb')
    .execute();
  await s.createIndex('rescue_events_rescue_idx').on('rescue_events').columns(['rescue_id', 'id']).execute();

  // One per charge the engine reported; delivered to /transmit at least once.
  await s
    .createTable('transmissions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('succeeded', 'boolean', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'sent', 'failed')`))
    .addColumn('transmit_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('transmissions_merchant_engine_charge_key', ['merchant_id', 'engine', 'charge_id'])
    .execute();

  // FlexCharge tokens registered for an engine's payment method (the merchant's checkout tokenized
  // the card with FlexCharge). A token is a reference, not card data.
  await s
    .createTable('card_tokens')
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('card_tokens_pkey', ['merchant_id', 'engine', 'payment_method_id'])
    .execute();

  // Nonces of accepted FlexCharge webhooks, to refuse a replayed signed request.
  await s
    .createTable('webhook_nonces')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_nonces_pkey', ['source', 'nonce'])
    .execute();
}
