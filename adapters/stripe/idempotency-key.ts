const HOUR_MS = 3_600_000;

/**
 * A Stripe idempotency key for one of our writes, scoped to the hour. Stripe stores even a 500 under
 * a key for 24 hours, so a key reused across all our retries would replay an outage for a day. Within
 * the hour a retry replays the first answer (a lost response causes no second write); a retry in a
 * later hour is a new request, which is safe because every caller re-reads the invoice first and
 * does nothing if the earlier request did take effect.
 */
export function idempotencyKey(base: string, now: Date): string {
  return `${base}-h${Math.floor(now.getTime() / HOUR_MS)}`;
}
