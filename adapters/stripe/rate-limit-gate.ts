import type Stripe from 'stripe';
import { parseRetryAfter } from '../../plugin/core/retry-after.js';

/**
 * Stripe's rate limits are per account (docs.stripe.com/rate-limits: about 100 requests a second
 * live, 25 in test mode), and a 429 means the request was not processed. stripe-node 23 does not
 * retry a 429 unless Stripe sends `Stripe-Should-Retry: true`, and never reads `Retry-After`
 * (`RequestSender._shouldRetry`, `_getSleepTimeInMS`). This gate, one per SDK client (so per
 * account), makes a 429 slow the account's calls down rather than fail them:
 *
 * - after a 429 every call of the client waits until the pause it set is over: `Retry-After` when
 *   Stripe sends one, else a backoff of 1 s doubling with each 429 in a row (at most 30 s), jittered;
 * - the refused request is sent again after the pause (same idempotency key: it was never
 *   processed), at most `maxResends` times, never when Stripe says `Stripe-Should-Retry: false`;
 * - then the 429 goes up to the caller (`StripeRateLimitError`, mapped to a retryable
 *   `ProviderError` with status 429), which the worker takes as a reason to put the rescue off.
 */
export interface RateLimitGateOptions {
  /** Resends of a refused request before its 429 goes up; default 3. */
  readonly maxResends?: number;
  /** The longest pause honoured, whatever `Retry-After` says; default 60 s. */
  readonly maxPauseMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 30_000;

export interface RateLimitGate {
  readonly httpClient: Stripe.HttpClient;
  /** Until when (epoch ms) the client's calls wait; 0 when not paused. */
  pausedUntil(): number;
}

export function rateLimitGate(inner: Stripe.HttpClient, options: RateLimitGateOptions = {}): RateLimitGate {
  const maxResends = options.maxResends ?? 3;
  const maxPauseMs = options.maxPauseMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  let pausedUntil = 0;
  let refusalsInARow = 0;

  function pauseAfter(response: Stripe.HttpClientResponse): void {
    const header = response.getHeaders()['retry-after'];
    const asked = parseRetryAfter(typeof header === 'string' ? header : undefined, new Date());
    const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** refusalsInARow);
    // Jitter only our own guess, so the accounts' callers do not all come back at once.
    const pause = Math.min(maxPauseMs, asked ?? backoff * (0.5 + random() / 2));
    refusalsInARow++;
    pausedUntil = Math.max(pausedUntil, Date.now() + pause);
  }

  const client: Stripe.HttpClient = Object.create(inner);
  client.makeRequest = async (...args) => {
    for (let resends = 0; ; resends++) {
      const wait = pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      const response = await inner.makeRequest(...args);
      if (response.getStatusCode() !== 429) {
        refusalsInARow = 0;
        return response;
      }
      pauseAfter(response);
      if (resends >= maxResends || response.getHeaders()['stripe-should-retry'] === 'false') return response;
      // The refused answer is read to its end, so its connection goes back to the pool.
      await response.toJSON().catch(() => undefined);
    }
  };
  return { httpClient: client, pausedUntil: () => (pausedUntil > Date.now() ? pausedUntil : 0) };
}
