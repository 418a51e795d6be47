import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS } from '../../plugin/core/clock.js';
import { MIN_RESCUE_WINDOW_MS, rescueExpiry } from '../../plugin/core/rescue-expiry.js';

const failedAt = new Date('2026-06-12T14:30:00Z');
const after = (base: Date, ms: number) => new Date(base.getTime() + ms);

describe('rescue expiry', () => {
  it('counts the window from the decline, not from when the rescue got to it', () => {
    const now = after(failedAt, 3 * 3_600_000);
    assert.deepEqual(rescueExpiry(failedAt, now, 21), after(failedAt, 21 * DAY_MS));
  });

  it('never leaves FlexCharge less than its 14-day minimum, however late the hand-over', () => {
    const now = after(failedAt, 10 * DAY_MS);
    const expiry = rescueExpiry(failedAt, now, 21);
    assert.deepEqual(expiry, after(now, MIN_RESCUE_WINDOW_MS));
    assert.ok(expiry.getTime() - now.getTime() >= 14 * DAY_MS);
  });

  it('keeps the minimum with a little room for clock skew and the request’s flight time', () => {
    const now = after(failedAt, 60_000);
    const expiry = rescueExpiry(failedAt, now, 14);
    assert.ok(expiry.getTime() - now.getTime() > 14 * DAY_MS);
    assert.ok(expiry.getTime() - now.getTime() <= 14 * DAY_MS + 3_600_000);
  });

  it('is a pure function of its inputs', () => {
    const now = after(failedAt, 5 * DAY_MS);
    assert.deepEqual(rescueExpiry(failedAt, now, 21), rescueExpiry(failedAt, now, 21));
  });

  it('refuses a window that is not a whole number of days', () => {
    assert.throws(() => rescueExpiry(failedAt, failedAt, 20.5), RangeError);
    assert.throws(() => rescueExpiry(failedAt, failedAt, -1), RangeError);
  });
});
