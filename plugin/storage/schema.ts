import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** The Postgres schema every table of the plugin lives in, so it can share a merchant's database. */
export const SCHEMA = 'flexcharge_mit';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One row per HTTP attempt against FlexCharge, with card data and secrets redacted. */
export interface FlexchargeCallsTable {
  id: Generated<number>;
  started_at: Timestamp;
  environment: string;
  operation: string;
  method: string;
  path: string;
  attempt: number;
  /** `ok`, `http_error`, `network_error` or `timeout`. */
  outcome: string;
  status_code: number | null;
  error_class: string | null;
  retryable: boolean | null;
  duration_ms: number;
  idempotency_key: string | null;
  trace_id: string | null;
  request_body: JSONColumnType<object> | null;
  response_body: JSONColumnType<object> | null;
}

/** Kysely's view of the tables, keyed by schema-qualified name. */
export interface Database {
  'flexcharge_mit.flexcharge_calls': FlexchargeCallsTable;
}
