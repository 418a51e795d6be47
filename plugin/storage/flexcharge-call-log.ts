import type { Kysely } from 'kysely';
import type { FlexChargeCallLog, FlexChargeCallRecord } from '../../adapters/flexcharge/call-log.js';
import type { Database } from './schema.js';

/** The FlexCharge call log in `flexcharge_mit.flexcharge_calls`, one row per HTTP attempt. */
export function createFlexChargeCallLog(db: Kysely<Database>): FlexChargeCallLog {
  return {
    async record(entry: FlexChargeCallRecord): Promise<void> {
      await db
        .insertInto('flexcharge_mit.flexcharge_calls')
        .values({
          started_at: entry.startedAt,
          environment: entry.environment,
          merchant_id: entry.merchantId,
          flow: entry.flow,
          site_id: entry.siteId,
          operation: entry.operation,
          method: entry.method,
          path: entry.path,
          attempt: entry.attempt,
          outcome: entry.outcome,
          status_code: entry.statusCode,
          error_class: entry.errorClass,
          retryable: entry.retryable,
          duration_ms: Math.max(0, Math.round(entry.durationMs)),
          idempotency_key: entry.idempotencyKey,
          trace_id: entry.traceId,
          request_body: toJsonb(entry.requestBody),
          response_body: toJsonb(entry.responseBody),
        })
        .execute();
    },
  };
}

/**
 * The columns hold JSON objects: a body that is not one (a text error page, a bare value) is
 * wrapped as `{ "text": … }` so readers can always expect an object.
 */
function toJsonb(body: unknown): string | null {
  if (body === null || body === undefined) return null;
  const wrapped = typeof body === 'object' ? body : { text: typeof body === 'string' ? body : String(body) };
  // PostgreSQL's jsonb cannot hold U+0000.
  return JSON.stringify(wrapped, (_key, value) =>
    typeof value === 'string' ? value.replaceAll('\u0000', '') : value,
  );
}
