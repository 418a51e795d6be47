import { DAY_MS } from './clock.js';

/**
 * FlexCharge needs at least two weeks to work a managed MIT (contract §11). The extra hour absorbs
 * clock skew and the request's flight time, so a window computed as exactly now + 14 days is not
 * refused for being a few seconds short when it arrives.
 */
export const MIN_RESCUE_WINDOW_MS = 14 * DAY_MS + 3_600_000;

/**
 * Until when FlexCharge may work a declined renewal: `expiryDays` after the decline itself, since
 * that is when the customer's dunning clock started; but never less than the minimum window from
 * `now`, however late the hand-over comes.
 */
export function rescueExpiry(failedAt: Date, now: Date, expiryDays: number): Date {
  if (!Number.isInteger(expiryDays) || expiryDays < 0) {
    throw new RangeError(`expiryDays must be a whole number of days, got ${expiryDays}`);
  }
  const fromDecline = failedAt.getTime() + expiryDays * DAY_MS;
  const earliest = now.getTime() + MIN_RESCUE_WINDOW_MS;
  return new Date(Math.max(fromDecline, earliest));
}
