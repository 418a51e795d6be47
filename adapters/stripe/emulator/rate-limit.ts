import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { actingAccount } from './api-gateway.js';

/**
 * Stripe's rate limiter, switchable: at most `requests_per_second` API requests per account in any
 * second (real time, a sliding window), the rest answered 429 before any handling, so they change
 * nothing. Stripe measures its limits "in API requests per second per Stripe account" (about 100
 * live, 25 in test mode: docs.stripe.com/rate-limits); off by default, as the emulator is a test
 * bench. Stripe's reference does not say which headers come with a 429: `retry_after` (seconds)
 * adds `Retry-After`, `should_retry` adds `Stripe-Should-Retry` (`true`/`false`); both absent by
 * default. The body is Stripe's rate-limit error: `invalid_request_error` with code `rate_limit`.
 */
export const stripeRateLimitSchema = z.object({
  requests_per_second: z.number().int().min(1),
  retry_after: z.number().int().min(0).optional(),
  should_retry: z.boolean().optional(),
});

export type StripeRateLimit = z.input<typeof stripeRateLimitSchema>;

const WINDOW_MS = 1000;

export class StripeRateLimiter {
  /** Per account id (the account a request acts on): its limit and the times of its recent requests. */
  readonly #limits = new Map<string, z.output<typeof stripeRateLimitSchema>>();
  readonly #recent = new Map<string, number[]>();
  #refused = 0;

  /** Switches the limit of one account on (or changes it), or off with `null`. */
  set(accountId: string, limit: StripeRateLimit | null): void {
    this.#recent.delete(accountId);
    if (limit === null) this.#limits.delete(accountId);
    else this.#limits.set(accountId, stripeRateLimitSchema.parse(limit));
  }

  /** Requests answered 429 so far. */
  get refused(): number {
    return this.#refused;
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    const account = actingAccount(res.locals);
    const limit = account && this.#limits.get(account.id);
    if (!account || !limit) {
      next();
      return;
    }
    const now = performance.now();
    const recent = (this.#recent.get(account.id) ?? []).filter((t) => now - t < WINDOW_MS);
    if (recent.length < limit.requests_per_second) {
      recent.push(now);
      this.#recent.set(account.id, recent);
      next();
      return;
    }
    this.#recent.set(account.id, recent);
    this.#refused++;
    if (limit.retry_after !== undefined) res.set('Retry-After', String(limit.retry_after));
    if (limit.should_retry !== undefined) res.set('Stripe-Should-Retry', String(limit.should_retry));
    res.status(429).json({
      error: {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
    });
  };
}
