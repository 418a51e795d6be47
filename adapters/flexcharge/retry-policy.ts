/**
 * When to try a failed FlexCharge call again: only failures marked retryable, at most `maxRetries`
 * times, after an exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"), so many clients failing together do not come back together.
 */

export interface RetryPolicyOptions {
  /** Retries after the first attempt; 0 never retries. */
  readonly maxRetries: number;
  /** The backoff cap before the first retry, doubled for each further one. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** The largest backoff cap. Default 10 s. */
  readonly maxDelayMs?: number;
  /**
   * The longest `Retry-After` the client will wait in-line. A longer one ends the call with the
   * (retryable) error instead, leaving the wait to the caller's own schedule. Default 60 s.
   */
  readonly maxRetryAfterMs?: number;
  /** A number in [0, 1); injectable so tests are deterministic. Default `Math.random`. */
  readonly random?: () => number;
}

/** The parts of an error the policy looks at. */
export interface RetryableFailure {
  readonly retryable: boolean;
  /** The server's `Retry-After`, in milliseconds from now. */
  readonly retryAfterMs?: number | undefined;
}

export interface RetryPolicy {
  readonly maxRetries: number;
  /**
   * How long to wait before retry number `retriesSoFar + 1`, or `undefined` to give up and throw.
   */
  delayBeforeRetry(failure: RetryableFailure, retriesSoFar: number): number | undefined;
}

export const DEFAULT_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 10_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** Full jitter: uniform in [0, min(maxDelayMs, baseDelayMs · 2^retriesSoFar)). */
export function backoffDelayMs(
  retriesSoFar: number,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number },
): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retriesSoFar);
  return Math.floor(options.random() * cap);
}

export function createRetryPolicy(options: RetryPolicyOptions): RetryPolicy {
  const backoff = {
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    random: options.random ?? Math.random,
  };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  return {
    maxRetries: options.maxRetries,
    delayBeforeRetry(failure, retriesSoFar) {
      if (!failure.retryable || retriesSoFar >= options.maxRetries) return undefined;
      const jittered = backoffDelayMs(retriesSoFar, backoff);
      if (failure.retryAfterMs === undefined) return jittered;
      if (failure.retryAfterMs > maxRetryAfterMs) return undefined;
      return Math.max(jittered, failure.retryAfterMs);
    },
  };
}
