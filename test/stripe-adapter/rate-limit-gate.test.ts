import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapStripeError } from '../../adapters/stripe/map-stripe-error.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { startHarness } from '../stripe-emulator/support.js';

/** The plugin's Stripe client (the real SDK through the rate-limit gate) against the emulator. */
async function gated() {
  const h = await startHarness();
  const stripe = createStripeClient({ secretKey: h.emulator.apiKey, apiBase: h.server.url });
  return { h, stripe };
}

describe('Stripe rate limits: the client slows down on 429', () => {
  it('waits out Retry-After and sends the refused requests again, so a burst over the limit all passes', async () => {
    const { h, stripe } = await gated();
    try {
      h.emulator.setRateLimit({ requests_per_second: 3, retry_after: 1 });
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => stripe.customers.create({ email: `c${i}@example.com` })),
      );
      const elapsed = Date.now() - started;
      assert.equal(results.length, 8);
      assert.equal(new Set(results.map((c) => c.id)).size, 8, 'eight customers, none twice');
      assert.ok(h.emulator.rateLimited > 0, 'the emulator did refuse some');
      assert.ok(elapsed >= 900, `waited Retry-After before sending again (took ${elapsed} ms)`);
      h.emulator.setRateLimit(null);
      assert.equal((await stripe.customers.list({ limit: 100 })).data.length, 8, 'each created once');
    } finally {
      await h.close();
    }
  });

  it('gives a 429 Stripe says not to retry to the caller as rate limited, and holds the next call back', async () => {
    const { h, stripe } = await gated();
    try {
      h.emulator.setRateLimit({ requests_per_second: 1, retry_after: 2, should_retry: false });
      await stripe.customers.list({ limit: 1 });
      const refused = await stripe.customers
        .list({ limit: 1 })
        .catch((e: unknown) => mapStripeError(e, 'list'));
      assert.ok(refused instanceof ProviderError, String(refused));
      assert.equal(refused.rateLimited, true);
      assert.equal(refused.retryable, true);
      assert.equal(refused.retryAfterMs, 2000);
      h.emulator.setRateLimit(null);
      const started = Date.now();
      await stripe.customers.list({ limit: 1 });
      assert.ok(Date.now() - started >= 1500, 'the client kept to the pause Stripe asked for');
    } finally {
      await h.close();
    }
  });
});
