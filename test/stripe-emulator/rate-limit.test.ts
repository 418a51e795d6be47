import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { startHarness } from './support.js';

/** `n` requests at once on the account of `stripe`; what each came back as. */
async function burst(stripe: Stripe, n: number): Promise<('ok' | number)[]> {
  return Promise.all(
    Array.from({ length: n }, () =>
      stripe.customers.list({ limit: 1 }).then(
        () => 'ok' as const,
        (err: Stripe.errors.StripeError) => err.statusCode ?? -1,
      ),
    ),
  );
}

describe('Stripe emulator: rate limit', () => {
  it('answers 429 rate_limit past the requests per second of the account, changing nothing', async () => {
    const h = await startHarness();
    try {
      const other = h.emulator.createStandaloneAccount();
      const otherStripe = new Stripe(other.apiKey, {
        host: '127.0.0.1',
        port: h.server.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const set = await fetch(`${h.server.url}/_emulator/rate_limit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests_per_second: 3, retry_after: 1 }),
      });
      assert.equal(set.status, 200);

      const results = await burst(h.stripe, 8);
      assert.equal(results.filter((r) => r === 'ok').length, 3, 'three a second pass');
      assert.deepEqual(
        results.filter((r) => r !== 'ok'),
        [429, 429, 429, 429, 429],
      );
      assert.equal(h.emulator.rateLimited, 5);
      assert.deepEqual(await burst(otherStripe, 8), Array(8).fill('ok'), 'another account has its own limit');

      // Stripe's error shape, and the switchable headers.
      const refused = await h.stripe.customers
        .create({ email: 'late@example.com' })
        .catch((e: unknown) => e as Stripe.errors.StripeError);
      assert.ok(refused instanceof Stripe.errors.StripeRateLimitError);
      assert.equal(refused.code, 'rate_limit');
      assert.equal(refused.type, 'StripeRateLimitError');
      assert.equal(refused.headers?.['retry-after'], '1');
      assert.equal(refused.headers?.['stripe-should-retry'], undefined);

      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(
        (await h.stripe.customers.list({ limit: 10 })).data.length,
        0,
        'the refused create made nothing',
      );
      assert.deepEqual(await burst(h.stripe, 2), ['ok', 'ok'], 'a second later they pass');

      h.emulator.setRateLimit(null);
      assert.deepEqual(await burst(h.stripe, 10), Array(10).fill('ok'), 'switched off');
    } finally {
      await h.close();
    }
  });

  it('refuses a limit that is not a whole number of requests', async () => {
    const h = await startHarness();
    try {
      const bad = await fetch(`${h.server.url}/_emulator/rate_limit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests_per_second: 0.5 }),
      });
      assert.equal(bad.status, 400);
      const off = await fetch(`${h.server.url}/_emulator/rate_limit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests_per_second: null }),
      });
      assert.equal(off.status, 200);
    } finally {
      await h.close();
    }
  });
});
