import type { Clock } from '../../../plugin/core/clock.js';

/** Stripe timestamps are whole Unix seconds. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}

export const DAY_SECONDS = 86_400;
export const HOUR_SECONDS = 3_600;

export type Interval = 'day' | 'week' | 'month' | 'year';

/**
 * The anchor moved forward by `count` intervals. Months and years are calendar-based and clamp to the
 * last day of a shorter month (Jan 31 → Feb 28/29 → Mar 31), which is how Stripe keeps billing
 * anchored on the original day. Always computed from the anchor, so periods never drift.
 */
export function addIntervals(anchor: number, interval: Interval, count: number): number {
  if (interval === 'day') return anchor + count * DAY_SECONDS;
  if (interval === 'week') return anchor + count * 7 * DAY_SECONDS;
  const start = new Date(anchor * 1000);
  const months = interval === 'month' ? count : count * 12;
  const totalMonths = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(totalMonths / 12);
  const month = ((totalMonths % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  const ms = Date.UTC(year, month, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds());
  return Math.floor(ms / 1000);
}
