import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, createRetryPolicy } from '../../adapters/flexcharge/retry-policy.js';

const retryable = { retryable: true };

describe('retry policy', () => {
  it('doubles the backoff cap per retry up to the maximum, with full jitter below it', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, opts)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(backoffDelayMs(3, { ...opts, random: () => 0 }), 0);
    assert.equal(backoffDelayMs(3, { ...opts, random: () => 0.5 }), 400);
  });

  it('retries a retryable failure at most maxRetries times', () => {
    const policy = createRetryPolicy({ maxRetries: 2, baseDelayMs: 100, random: () => 0.5 });
    assert.equal(policy.delayBeforeRetry(retryable, 0), 50);
    assert.equal(policy.delayBeforeRetry(retryable, 1), 100);
    assert.equal(policy.delayBeforeRetry(retryable, 2), undefined);
  });

  it('never retries a failure that is not retryable', () => {
    const policy = createRetryPolicy({ maxRetries: 5 });
    assert.equal(policy.delayBeforeRetry({ retryable: false }, 0), undefined);
  });

  it('never retries when maxRetries is zero', () => {
    assert.equal(createRetryPolicy({ maxRetries: 0 }).delayBeforeRetry(retryable, 0), undefined);
  });

  it('waits at least the Retry-After the server asked for', () => {
    const policy = createRetryPolicy({ maxRetries: 3, baseDelayMs: 100, random: () => 0.5 });
    assert.equal(policy.delayBeforeRetry({ retryable: true, retryAfterMs: 2000 }, 0), 2000);
    assert.equal(policy.delayBeforeRetry({ retryable: true, retryAfterMs: 10 }, 0), 50);
  });

  it('gives up rather than wait in-line for a Retry-After beyond its bound', () => {
    const policy = createRetryPolicy({ maxRetries: 3, maxRetryAfterMs: 5000 });
    assert.equal(policy.delayBeforeRetry({ retryable: true, retryAfterMs: 120_000 }, 0), undefined);
  });
});
