import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('flexcharge_mit');
  await db.schema.createSchema('flexcharge_mit').ifNotExists().execute();
  await s
    .createTable('flexcharge_calls')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(sql`outcome in ('ok', 'http_error', 'network_error', 'timeout')`),
    )
    .addColumn('status_code', 'integer')
    .addColumn('error_class', 'text')
    .addColumn('retryable', 'boolean')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('trace_id', 'text')
    .addColumn('request_body', 'jsonb')
    .addColumn('response_body', 'jsonb')
    .execute();
  await s
    .createIndex('flexcharge_calls_started_at_idx')
    .on('flexcharge_calls')
    .column('started_at')
    .execute();
}
