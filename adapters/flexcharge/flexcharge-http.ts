import type { z } from 'zod';
import type { Clock } from '../../plugin/core/clock.js';
import type { AccessTokenCache } from './access-token-cache.js';
import type {
  FlexChargeCallContext,
  FlexChargeCallLog,
  FlexChargeCallOutcome,
  FlexChargeCallRecord,
  FlexChargeOperation,
} from './call-log.js';
import { traceIdFromHeaders } from './flexcharge-error-body.js';
import { type AnyFlexChargeError, type FlexChargeFailure, toFlexChargeError } from './flexcharge-errors.js';
import { redact, redactText } from './redact.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * The one request pipeline every FlexCharge call goes through: bearer token, JSON, a timeout per
 * attempt, typed errors, retries of the retryable ones, and a call-log record for every attempt.
 */

export interface FlexChargeHttpOptions {
  /** Ends in `/`, e.g. `https://api-sandbox.flexfactor.io/v1/`. */
  readonly baseUrl: string;
  readonly environment: string;
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly clock: Clock;
  readonly fetchImpl: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly callLog?: FlexChargeCallLog | undefined;
  /** Recorded on every call-log record. */
  readonly merchantId?: string | null | undefined;
  /** Needed only by requests with `auth: 'bearer'`. */
  readonly tokens?: AccessTokenCache;
  /** Values never to be logged or shown in a message, even inside free text (the AppSecret, tokens). */
  readonly secrets: () => readonly string[];
}

export interface FlexChargeHttpRequest<T> {
  readonly operation: FlexChargeOperation;
  readonly method: 'GET' | 'POST';
  /** Relative to the base URL, e.g. `evaluate` or `orders/<id>/cancel`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly auth: 'bearer' | 'none';
  readonly idempotencyKey?: string | undefined;
  /** The 2xx body's schema; tolerant (loose) so fields FlexCharge adds pass through. */
  readonly responseSchema: z.ZodType<T>;
  /** A 2xx with an empty body is success (cancel); the schema is then given `undefined`. */
  readonly allowEmptyBody?: boolean;
  /** The flow and site recorded in the call log. */
  readonly callContext?: FlexChargeCallContext | undefined;
}

export interface FlexChargeHttp {
  request<T>(request: FlexChargeHttpRequest<T>): Promise<T>;
}

type AttemptResult<T> = { ok: true; value: T } | { ok: false; error: AnyFlexChargeError };

const MAX_LOGGED_TEXT = 2000;

export function createFlexChargeHttp(options: FlexChargeHttpOptions): FlexChargeHttp {
  const { clock, retryPolicy } = options;

  async function request<T>(req: FlexChargeHttpRequest<T>): Promise<T> {
    let attempt = 0;
    let retries = 0;
    let renewedToken = false;
    for (;;) {
      attempt += 1;
      const token = req.auth === 'bearer' ? await requireTokens().get() : undefined;
      const result = await attemptOnce(req, attempt, token);
      if (result.ok) return result.value;
      const { error } = result;
      // A 401 with a token we believed valid (revoked, clock skew): renew once and repeat the call.
      if (token && error.statusCode === 401 && !renewedToken) {
        renewedToken = true;
        requireTokens().invalidate(token);
        continue;
      }
      const delay = retryPolicy.delayBeforeRetry(error, retries);
      if (delay === undefined) throw error;
      retries += 1;
      await options.sleep(delay);
    }
  }

  function requireTokens(): AccessTokenCache {
    if (!options.tokens) throw new Error('FlexCharge HTTP pipeline has no access token source');
    return options.tokens;
  }

  async function attemptOnce<T>(
    req: FlexChargeHttpRequest<T>,
    attempt: number,
    token: string | undefined,
  ): Promise<AttemptResult<T>> {
    const url = new URL(req.path, options.baseUrl);
    for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;

    const startedAt = clock.now();
    const started = performance.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    let status: number | undefined;
    let responseHeaders: Headers | undefined;
    let text: string | undefined;
    let failure: FlexChargeFailure | undefined;
    try {
      const response = await options.fetchImpl(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
        redirect: 'error',
      });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (cause) {
      failure =
        signal.aborted && isTimeout(signal.reason)
          ? { type: 'timeout', timeoutMs: options.timeoutMs, cause, status }
          : { type: 'network', cause, status };
    }
    const durationMs = Math.round(performance.now() - started);

    const body = text === undefined ? undefined : parseBody(text);
    let value: T | undefined;
    if (!failure && status !== undefined && responseHeaders) {
      if (status < 200 || status > 299) {
        failure = {
          type: 'http',
          status,
          headers: responseHeaders,
          body: body && 'json' in body ? body.json : text,
        };
      } else {
        const checked = checkBody(req, body, status, responseHeaders);
        if (checked.ok) value = checked.value;
        else failure = checked.failure;
      }
    }

    const secrets = [...options.secrets(), ...(token ? [token] : [])];
    const error = failure
      ? toFlexChargeError(failure, { operation: req.operation, now: clock.now(), secrets })
      : undefined;
    await writeRecord({
      startedAt,
      environment: options.environment,
      merchantId: options.merchantId ?? null,
      flow: req.callContext?.flow ?? null,
      siteId: req.callContext?.siteId ?? null,
      operation: req.operation,
      method: req.method,
      path: url.pathname,
      attempt,
      outcome: outcomeOf(failure),
      statusCode: status ?? null,
      errorClass: error?.name ?? null,
      retryable: error ? error.retryable : null,
      durationMs,
      idempotencyKey: req.idempotencyKey ?? null,
      traceId: error?.traceId ?? (responseHeaders ? (traceIdFromHeaders(responseHeaders) ?? null) : null),
      requestBody: req.body === undefined ? null : redact(req.body, { secrets }),
      responseBody: loggedBody(body, secrets),
    });
    return error ? { ok: false, error } : { ok: true, value: value as T };
  }

  function checkBody<T>(
    req: FlexChargeHttpRequest<T>,
    body: ParsedBody | undefined,
    status: number,
    headers: Headers,
  ): { ok: true; value: T } | { ok: false; failure: FlexChargeFailure } {
    const unexpected = (reason: string, cause?: unknown) =>
      ({ ok: false, failure: { type: 'unexpected_response', status, headers, reason, cause } }) as const;
    if (body === undefined) {
      if (!req.allowEmptyBody) return unexpected('empty body');
      const parsed = req.responseSchema.safeParse(undefined);
      return parsed.success ? { ok: true, value: parsed.data } : unexpected('empty body');
    }
    if (!('json' in body)) return unexpected('body is not JSON');
    const parsed = req.responseSchema.safeParse(body.json);
    if (parsed.success) return { ok: true, value: parsed.data };
    const where = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return unexpected(where, parsed.error);
  }

  async function writeRecord(record: FlexChargeCallRecord): Promise<void> {
    if (!options.callLog) return;
    try {
      await options.callLog.record(record);
    } catch (error) {
      // The call log is for audit and support; losing a row must not fail or repeat a payment call.
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `flexcharge: could not write the call log for ${record.operation} attempt ${record.attempt}: ${redactText(reason)}\n`,
      );
    }
  }

  return { request };
}

type ParsedBody = { json: unknown } | { text: string };

/** An empty body is `undefined`; a body that is not JSON stays text. */
function parseBody(text: string): ParsedBody | undefined {
  if (text.trim() === '') return undefined;
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { text };
  }
}

function loggedBody(body: ParsedBody | undefined, secrets: readonly string[]): unknown {
  if (body === undefined) return null;
  if ('json' in body) return redact(body.json, { secrets });
  const clipped = body.text.length > MAX_LOGGED_TEXT ? `${body.text.slice(0, MAX_LOGGED_TEXT)}…` : body.text;
  return redactText(clipped, { secrets });
}

function outcomeOf(failure: FlexChargeFailure | undefined): FlexChargeCallOutcome {
  if (!failure) return 'ok';
  if (failure.type === 'network') return 'network_error';
  if (failure.type === 'timeout') return 'timeout';
  return 'http_error';
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'TimeoutError';
}
