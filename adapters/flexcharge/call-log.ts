/**
 * The port through which the FlexCharge client records every HTTP attempt it makes, token calls
 * included. Bodies arrive already redacted: an implementation may store them as they are.
 */

/** What became of one HTTP attempt. */
export type FlexChargeCallOutcome = 'ok' | 'http_error' | 'network_error' | 'timeout';

/** The client operations, as stored in the `operation` column. */
export type FlexChargeOperation =
  | 'token'
  | 'tokenize'
  | 'transmit'
  | 'evaluate'
  | 'outcome'
  | 'getOrder'
  | 'cancelOrder'
  | 'refundOrder';

export interface FlexChargeCallRecord {
  /** When the attempt started, by the client's clock. */
  readonly startedAt: Date;
  /** `local`, `sandbox` or `production`. */
  readonly environment: string;
  /** The plugin's merchant the call was made for (`merchants.id`); null when the client was built without one. */
  readonly merchantId: string | null;
  /** The merchant flow (`mit`, `cit_website`, `cit_call_center`) of an evaluate or transmit; null otherwise. */
  readonly flow: string | null;
  /** Our `merchant_sites` id of the site the request named; null when none or not known. */
  readonly siteId: string | null;
  readonly operation: FlexChargeOperation;
  readonly method: string;
  /** The URL path without the query string (which may carry the tokenization key), e.g. `/v1/evaluate`. */
  readonly path: string;
  /** 1 for the first attempt of a call; retries and the repeat after a token renewal count up. */
  readonly attempt: number;
  readonly outcome: FlexChargeCallOutcome;
  /** The HTTP status, when a response arrived. */
  readonly statusCode: number | null;
  /** The name of the error class the attempt produced, e.g. `FlexChargeRateLimitError`; null when ok. */
  readonly errorClass: string | null;
  /** Whether the attempt's failure may be retried; null when ok. */
  readonly retryable: boolean | null;
  /** Wall time of the attempt in milliseconds, from sending the request to reading the whole body. */
  readonly durationMs: number;
  /** The body's idempotencyKey (evaluate, cancel), if any. */
  readonly idempotencyKey: string | null;
  /** FlexCharge's trace id, from a response header or a ProblemDetails body. */
  readonly traceId: string | null;
  /** The redacted JSON request body; null when none was sent. */
  readonly requestBody: unknown;
  /** The redacted response body: JSON as parsed, a non-JSON body as (truncated) text, null when empty. */
  readonly responseBody: unknown;
}

/** What a call is about, for its call-log records: given by the rescue provider per request. */
export interface FlexChargeCallContext {
  readonly flow?: string | null;
  /** Our `merchant_sites` id (a uuid), not FlexCharge's siteId. */
  readonly siteId?: string | null;
}

/**
 * Where call records go. The client awaits `record` but never lets its failure fail the FlexCharge
 * call: a rejected promise is reported on stderr and the call carries on.
 */
export interface FlexChargeCallLog {
  record(entry: FlexChargeCallRecord): Promise<void>;
}

/** A call log that keeps the records in memory, for tests and for the local sandbox's demo. */
export function createMemoryCallLog(): FlexChargeCallLog & { readonly records: FlexChargeCallRecord[] } {
  const records: FlexChargeCallRecord[] = [];
  return {
    records,
    async record(entry) {
      records.push(entry);
    },
  };
}
