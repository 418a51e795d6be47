import Stripe from 'stripe';
import { NotFoundError, PluginError, ProviderError } from '../../plugin/core/errors.js';
import { parseRetryAfter } from '../../plugin/core/retry-after.js';

/** Stripe error codes that mean "try the same call again later" although their status is 4xx. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['lock_timeout', 'rate_limit']);

/**
 * The one mapping from stripe-node's errors to ours. `action` says what we were doing
 * (`retrieve invoice in_123`) and leads the message.
 *
 * - `resource_missing` → `NotFoundError`: the id is wrong or gone; retrying cannot help.
 * - No connection, timeouts, `StripeAPIError`, 5xx, 429, `StripeRateLimitError`, 409 (an idempotent
 *   request still running) and `lock_timeout` → `ProviderError` with `retryable: true`.
 * - Invalid request, authentication, permission, idempotency mismatch, card errors → `retryable: false`:
 *   the call needs a fix (or a person) before it can succeed.
 *
 * Stripe's `requestId` is kept as `providerRequestId` for support tickets, a 429's `Retry-After` as
 * `retryAfterMs`. Errors that are already
 * ours pass through; anything else that is not a Stripe error is returned unchanged: it is a bug,
 * not a fault of Stripe.
 */
export function mapStripeError(error: unknown, action: string): Error {
  if (error instanceof PluginError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) {
    return error instanceof Error ? error : new Error(`${action}: ${String(error)}`);
  }
  const message = `${action}: ${error.message}`;
  if (error.code === 'resource_missing') return new NotFoundError(message, { cause: error });
  return new ProviderError('stripe', message, {
    retryable: isRetryable(error),
    // A rate-limit error answered with 400 `rate_limit` (older API versions) is a 429 all the same.
    statusCode: error instanceof Stripe.errors.StripeRateLimitError ? 429 : error.statusCode,
    ...(error.requestId ? { providerRequestId: error.requestId } : {}),
    retryAfterMs: parseRetryAfter(headerOf(error, 'retry-after'), new Date()),
    cause: error,
  });
}

/** A response header of the failed request, as stripe-node keeps them on the error (lower-case names). */
function headerOf(error: Stripe.errors.StripeError, name: string): string | undefined {
  const value = (error.headers as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function isRetryable(error: Stripe.errors.StripeError): boolean {
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError
  ) {
    return true;
  }
  if (error.code && RETRYABLE_CODES.has(error.code)) return true;
  const status = error.statusCode;
  return status !== undefined && (status >= 500 || status === 429 || status === 409);
}

/** Runs one Stripe call and rethrows its failure through `mapStripeError`. */
export async function stripeCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapStripeError(error, action);
  }
}
