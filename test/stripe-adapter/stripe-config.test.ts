import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStripeClient, parseApiBase } from '../../adapters/stripe/stripe-config.js';
import { ConfigError } from '../../plugin/core/errors.js';

describe('Stripe adapter: createStripeClient', () => {
  it('parses an API base into the host, port and protocol stripe-node takes', () => {
    assert.deepEqual(parseApiBase('http://127.0.0.1:12111'), {
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    });
    assert.deepEqual(parseApiBase('https://stripe-proxy.internal/'), {
      host: 'stripe-proxy.internal',
      port: 443,
      protocol: 'https',
    });
    assert.deepEqual(parseApiBase('http://[::1]:8080'), { host: '::1', port: 8080, protocol: 'http' });
  });

  it('refuses an API base the SDK could not honour, naming STRIPE_API_BASE', () => {
    for (const base of ['not a url', 'ftp://host', 'http://host/prefix', 'http://host?x=1']) {
      assert.throws(
        () => parseApiBase(base),
        (error: unknown) =>
          error instanceof ConfigError && error.issues.some((i) => i.variable === 'STRIPE_API_BASE'),
        base,
      );
    }
  });

  it('retries twice by default and not at all when told', () => {
    const prod = createStripeClient({ secretKey: 'sk_test_x' });
    assert.equal(prod.getMaxNetworkRetries(), 2);
    const test = createStripeClient({
      secretKey: 'sk_test_x',
      apiBase: 'http://127.0.0.1:1',
      maxNetworkRetries: 0,
    });
    assert.equal(test.getMaxNetworkRetries(), 0);
  });
});
