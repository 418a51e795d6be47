import { ProviderError } from '../../plugin/core/errors.js';
import type { FlexChargeOperation } from './call-log.js';
import {
  isRecord,
  type ParsedErrorBody,
  parseErrorBody,
  parseRetryAfter,
  traceIdFromHeaders,
} from './flexcharge-error-body.js';
import { isIdempotencyInProgress } from './idempotency-conflict.js';
import { redactText } from './redact.js';

export {
  type ParsedErrorBody,
  parseErrorBody,
  parseRetryAfter,
  traceIdFromHeaders,
} from './flexcharge-error-body.js';

/**
 * FlexCharge failures as typed errors, and `toFlexChargeError`, the one place that decides which
 * error a response or a transport failure becomes and whether it may be retried.
 */

export type FlexChargeErrorKind =
  | 'validation'
  | 'auth'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unexpected_response'
  | 'rejected';

export interface FlexChargeErrorDetails {
  readonly operation: FlexChargeOperation;
  readonly retryable: boolean;
  readonly statusCode?: number | undefined;
  readonly traceId?: string | undefined;
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

/** Base of every FlexCharge failure; `kind` tells them apart, `retryable` says whether to try again. */
export abstract class FlexChargeError extends ProviderError {
  abstract readonly kind: FlexChargeErrorKind;
  readonly operation: FlexChargeOperation;
  /** FlexCharge's trace id (also `providerRequestId`), for support tickets. */
  readonly traceId: string | undefined;
  /** Field path (as FlexCharge names it, e.g. `Transaction.Amount`) → messages; empty unless validation. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  constructor(message: string, details: FlexChargeErrorDetails) {
    super('flexcharge', message, {
      retryable: details.retryable,
      statusCode: details.statusCode,
      providerRequestId: details.traceId,
      retryAfterMs: details.retryAfterMs,
      cause: details.cause,
    });
    this.operation = details.operation;
    this.traceId = details.traceId;
    this.fields = details.fields ?? {};
  }
}

/** 400: FlexCharge refused the request body; `fields` names what. Not retryable. */
export class FlexChargeValidationError extends FlexChargeError {
  readonly kind = 'validation' as const;
}
/** 401/403, or the token call refused the credentials. Not retryable. */
export class FlexChargeAuthError extends FlexChargeError {
  readonly kind = 'auth' as const;
}
/** 404: unknown order. Not retryable. */
export class FlexChargeNotFoundError extends FlexChargeError {
  readonly kind = 'not_found' as const;
}
/**
 * 409: an idempotency key still in progress (retryable) or reused with another payload (final);
 * `isIdempotencyInProgress` says which.
 */
export class FlexChargeConflictError extends FlexChargeError {
  readonly kind = 'conflict' as const;
}
/** 429: retryable, after `retryAfterMs` when the server said. */
export class FlexChargeRateLimitError extends FlexChargeError {
  readonly kind = 'rate_limited' as const;
}
/** 5xx: retryable for 500, 502, 503 and 504. */
export class FlexChargeServerError extends FlexChargeError {
  readonly kind = 'server' as const;
}
/** Connection refused or reset, DNS failure, connection dropped mid-response. Retryable. */
export class FlexChargeNetworkError extends FlexChargeError {
  readonly kind = 'network' as const;
}
/** No complete response within the per-attempt timeout. Retryable. */
export class FlexChargeTimeoutError extends FlexChargeError {
  readonly kind = 'timeout' as const;
}
/** A 2xx whose body is not what the contract describes. Not retryable. */
export class FlexChargeUnexpectedResponseError extends FlexChargeError {
  readonly kind = 'unexpected_response' as const;
}
/** Any other 4xx (405, 413, …). Not retryable. */
export class FlexChargeRejectedError extends FlexChargeError {
  readonly kind = 'rejected' as const;
}

/** Every concrete FlexCharge error; narrow it with `kind`. */
export type AnyFlexChargeError =
  | FlexChargeValidationError
  | FlexChargeAuthError
  | FlexChargeNotFoundError
  | FlexChargeConflictError
  | FlexChargeRateLimitError
  | FlexChargeServerError
  | FlexChargeNetworkError
  | FlexChargeTimeoutError
  | FlexChargeUnexpectedResponseError
  | FlexChargeRejectedError;

export function isFlexChargeError(error: unknown): error is AnyFlexChargeError {
  return error instanceof FlexChargeError;
}

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

/** What went wrong with one attempt, as the HTTP pipeline saw it. */
export type FlexChargeFailure =
  /** A non-2xx response; `body` is the parsed JSON, the raw text, or undefined when empty. */
  | { readonly type: 'http'; readonly status: number; readonly headers: Headers; readonly body: unknown }
  | { readonly type: 'network'; readonly cause: unknown; readonly status?: number }
  | {
      readonly type: 'timeout';
      readonly timeoutMs: number;
      readonly cause?: unknown;
      readonly status?: number;
    }
  /** A 2xx whose body did not parse; `reason` names what was wrong, never a value. */
  | {
      readonly type: 'unexpected_response';
      readonly status: number;
      readonly headers: Headers;
      readonly reason: string;
      readonly cause?: unknown;
    };

/**
 * The error for a failed attempt. Messages hold the status, the problem title and field messages
 * (with card-like numbers and `secrets` masked), never request data.
 */
export function toFlexChargeError(
  failure: FlexChargeFailure,
  context: { operation: FlexChargeOperation; now: Date; secrets?: readonly string[] },
): AnyFlexChargeError {
  const { operation } = context;
  const clean = (text: string) => redactText(text, { secrets: context.secrets ?? [] });

  if (failure.type === 'network') {
    const code = errorCode(failure.cause);
    return new FlexChargeNetworkError(`FlexCharge ${operation}: network failure${code ? ` (${code})` : ''}`, {
      operation,
      retryable: true,
      statusCode: failure.status,
      cause: failure.cause,
    });
  }
  if (failure.type === 'timeout') {
    return new FlexChargeTimeoutError(`FlexCharge ${operation}: no response within ${failure.timeoutMs} ms`, {
      operation,
      retryable: true,
      statusCode: failure.status,
      cause: failure.cause,
    });
  }
  const traceId = traceIdFromHeaders(failure.headers);
  if (failure.type === 'unexpected_response') {
    return new FlexChargeUnexpectedResponseError(
      `FlexCharge ${operation}: unexpected HTTP ${failure.status} response body (${clean(failure.reason)})`,
      { operation, retryable: false, statusCode: failure.status, traceId, cause: failure.cause },
    );
  }

  const { status } = failure;
  const parsed = parseErrorBody(failure.body);
  const details = {
    operation,
    statusCode: status,
    traceId: traceId ?? parsed.traceId,
    fields: Object.fromEntries(
      Object.entries(parsed.fields).map(([path, messages]) => [path, messages.map(clean)]),
    ),
  };
  const summary = clean(describe(parsed));
  const message = (what: string) =>
    `FlexCharge ${operation}: ${what} (HTTP ${status})${summary ? `: ${summary}` : ''}`;

  // The token endpoint answers bad credentials with 400 (contract §2): that is an auth failure.
  if (operation === 'token' && (status === 400 || status === 401 || status === 403)) {
    return new FlexChargeAuthError(message('credentials refused'), { ...details, retryable: false });
  }
  if (status === 400 || status === 422) {
    return new FlexChargeValidationError(message('request refused'), { ...details, retryable: false });
  }
  if (status === 401 || status === 403) {
    return new FlexChargeAuthError(message(status === 401 ? 'unauthorized' : 'forbidden'), {
      ...details,
      retryable: false,
    });
  }
  if (status === 404)
    return new FlexChargeNotFoundError(message('not found'), { ...details, retryable: false });
  if (status === 409) {
    const inProgress = isIdempotencyInProgress(parsed, failure.body, operation);
    return new FlexChargeConflictError(
      message(inProgress ? 'idempotency key still in progress' : 'idempotency conflict'),
      {
        ...details,
        retryable: inProgress,
        retryAfterMs: inProgress
          ? parseRetryAfter(failure.headers.get('retry-after'), context.now)
          : undefined,
      },
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(failure.headers.get('retry-after'), context.now);
    return new FlexChargeRateLimitError(message('rate limited'), {
      ...details,
      retryable: true,
      retryAfterMs,
    });
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(failure.headers.get('retry-after'), context.now);
    return new FlexChargeServerError(message('server error'), {
      ...details,
      retryable: RETRYABLE_STATUSES.has(status),
      retryAfterMs,
    });
  }
  return new FlexChargeRejectedError(message('request rejected'), { ...details, retryable: false });
}

function describe(parsed: ParsedErrorBody): string {
  const parts: string[] = [];
  if (parsed.title) parts.push(parsed.title);
  for (const [path, msgs] of Object.entries(parsed.fields)) parts.push(`${path}: ${msgs.join(' ')}`);
  parts.push(...parsed.messages);
  const text = parts.join('; ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** The Node error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, …) somewhere in a fetch failure's cause chain. */
function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; isRecord(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}
