import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMemoryCallLog, type FlexChargeCallLog } from '../../adapters/flexcharge/call-log.js';
import {
  createFlexChargeClient,
  type FlexChargeClientOptions,
} from '../../adapters/flexcharge/flexcharge-client.js';
import {
  FLEXCHARGE_BASE_URLS,
  resolveFlexChargeBaseUrl,
} from '../../adapters/flexcharge/flexcharge-environments.js';
import { FlexChargeError } from '../../adapters/flexcharge/flexcharge-errors.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { ConfigError, ValidationError } from '../../plugin/core/errors.js';
import { managedMitRequest, tokenizeRequest } from './fixtures.js';
import { scriptedFetch } from './scripted-fetch.js';

/** Client behaviour that needs exact control of the responses; everything else runs against the sandbox. */

const MID = '7c2ff0e4-6d4c-4a49-9f0a-1d6b2c0c5e11';

function client(fetchImpl: typeof fetch, extra: Partial<FlexChargeClientOptions> = {}) {
  const sleeps: number[] = [];
  const instance = createFlexChargeClient({
    baseUrl: 'http://flexcharge.test/v1',
    environment: 'local',
    credentials: { appKey: 'app-key-0123456789', appSecret: 'app-secret-0123456789' },
    clock: new ManualClock('2026-06-12T14:30:00Z'),
    fetchImpl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...extra,
  });
  return { client: instance, sleeps };
}

const now = new Date('2026-06-12T14:30:00Z');
const submitted = () => Response.json({ orderSessionKey: randomUUID(), status: 'SUBMITTED', success: true });

describe('FlexCharge client (scripted transport)', () => {
  it('refuses a malformed evaluate request with a ValidationError naming the fields, without any HTTP call', async () => {
    const script = scriptedFetch([]);
    const { client: fc } = client(script.fetchImpl);
    const bad = { ...managedMitRequest({ token: 'tok_123456789', now }), idempotencyKey: '' };
    bad.transaction = { ...bad.transaction, amount: 19.99 };
    const error = await fc.evaluate(bad).then(
      () => assert.fail('expected a ValidationError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ValidationError);
    assert.ok(!(error instanceof FlexChargeError));
    assert.deepEqual(Object.keys(error.fields).sort(), ['idempotencyKey', 'transaction.amount']);
    assert.equal(script.seen.length, 0);
  });

  it('never echoes the card number of a refused tokenize request', async () => {
    const script = scriptedFetch([]);
    const { client: fc } = client(script.fetchImpl);
    const request = tokenizeRequest('4111 1111 1111 1111');
    await assert.rejects(fc.tokenize(request), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(Object.keys(e.fields), ['payment_method.credit_card.number']);
      assert.doesNotMatch(`${e.message} ${JSON.stringify(e.fields)} ${String(e.cause)}`, /4111/);
      return true;
    });
    assert.equal(script.seen.length, 0);
  });

  it('refuses an empty order id without any HTTP call', async () => {
    const script = scriptedFetch([]);
    const { client: fc } = client(script.fetchImpl);
    await assert.rejects(fc.getOrder(''), ValidationError);
    await assert.rejects(fc.cancelOrder(''), ValidationError);
    await assert.rejects(fc.refundOrder('', { amountToRefund: 1 }), ValidationError);
    assert.equal(script.seen.length, 0);
  });

  it('adds the configured mid to an evaluate body that has none and sends the bearer token', async () => {
    const script = scriptedFetch([submitted()]);
    const { client: fc } = client(script.fetchImpl, { mid: MID });
    await fc.evaluate(managedMitRequest({ token: 'tok_123456789', now }));
    const [tokenCall, evaluate] = script.seen;
    assert.deepEqual(tokenCall?.body, { appKey: 'app-key-0123456789', appSecret: 'app-secret-0123456789' });
    assert.equal(tokenCall?.headers.get('authorization'), null);
    assert.equal(evaluate?.url.href, 'http://flexcharge.test/v1/evaluate');
    assert.equal(evaluate?.headers.get('authorization'), 'Bearer access-1');
    assert.equal(evaluate?.headers.get('content-type'), 'application/json');
    assert.equal((evaluate?.body as { mid?: string } | undefined)?.mid, MID);
  });

  it('tokenizes by mid and tokenization key in the query when both are configured, and logs no query', async () => {
    const script = scriptedFetch([
      Response.json({ transaction: { payment_method: { token: 'tok_abcdefgh', last_four_digits: '3184' } } }),
    ]);
    const callLog = createMemoryCallLog();
    const { client: fc } = client(script.fetchImpl, {
      mid: MID,
      tokenizationKey: 'tokenization-key-1',
      callLog,
    });
    const result = await fc.tokenize(tokenizeRequest());
    assert.equal(result.token, 'tok_abcdefgh');
    assert.equal(result.last4, '3184');
    const [call] = script.seen;
    assert.equal(call?.url.searchParams.get('mid'), MID);
    assert.equal(call?.url.searchParams.get('environment'), 'tokenization-key-1');
    assert.equal(call?.headers.get('authorization'), null);
    assert.equal(callLog.records[0]?.path, '/v1/tokenize');
    assert.doesNotMatch(JSON.stringify(callLog.records), /tokenization-key-1|4000002760003184|tok_abcdefgh/);
  });

  it('turns a 2xx body that does not match the contract into a final unexpected_response error', async () => {
    const script = scriptedFetch([Response.json({ status: 'SUBMITTED' })]);
    const { client: fc } = client(script.fetchImpl);
    await assert.rejects(fc.getOrder('ord-1'), (e: unknown) => {
      assert.ok(e instanceof FlexChargeError);
      assert.equal(e.kind, 'unexpected_response');
      assert.equal(e.retryable, false);
      assert.match(e.message, /id/);
      return true;
    });
    assert.equal(script.apiCalls().length, 1);
  });

  it('turns a 2xx body that is not JSON into an unexpected_response error', async () => {
    const script = scriptedFetch([new Response('<html>ok</html>', { status: 200 })]);
    const { client: fc } = client(script.fetchImpl);
    await assert.rejects(fc.outcome('key-1'), { kind: 'unexpected_response' });
  });

  it('accepts an empty 200 from cancel and sends no body without an idempotency key', async () => {
    const script = scriptedFetch([new Response(null, { status: 200 }), new Response(null, { status: 200 })]);
    const { client: fc } = client(script.fetchImpl);
    await fc.cancelOrder('ord-1');
    await fc.cancelOrder('ord-1', { idempotencyKey: 'idem-1' });
    const [first, second] = script.apiCalls();
    assert.equal(first?.body, undefined);
    assert.deepEqual(second?.body, { idempotencyKey: 'idem-1' });
  });

  it('renews the token once on a 401 and gives up with an auth error on a second 401', async () => {
    const script = scriptedFetch([new Response(null, { status: 401 }), new Response(null, { status: 401 })]);
    const { client: fc } = client(script.fetchImpl);
    await assert.rejects(fc.outcome('key-1'), { kind: 'auth', retryable: false, statusCode: 401 });
    assert.deepEqual(
      script.apiCalls().map((r) => r.headers.get('authorization')),
      ['Bearer access-1', 'Bearer access-2'],
    );
  });

  it('waits as long as Retry-After asks before retrying a 429', async () => {
    const script = scriptedFetch([
      new Response(null, { status: 429, headers: { 'retry-after': '2' } }),
      Response.json({ status: 'NOTFOUND' }),
    ]);
    const { client: fc, sleeps } = client(script.fetchImpl);
    assert.equal((await fc.outcome('key-1')).status, 'NOTFOUND');
    assert.deepEqual(sleeps, [2000]);
  });

  it('retries a network failure with backoff and reports it when retries run out', async () => {
    const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const script = scriptedFetch([refused(), refused(), refused()]);
    const { client: fc, sleeps } = client(script.fetchImpl, {
      maxRetries: 2,
      random: () => 0.5,
      baseDelayMs: 100,
    });
    await assert.rejects(fc.outcome('key-1'), { kind: 'network', retryable: true });
    assert.deepEqual(sleeps, [50, 100]);
  });

  it('completes the call when the call log fails, and reports the failure on stderr', async () => {
    const script = scriptedFetch([Response.json({ status: 'NOTFOUND' })]);
    const failing: FlexChargeCallLog = {
      record: async () => {
        throw new Error('database is down');
      },
    };
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const { client: fc } = client(script.fetchImpl, { callLog: failing });
      assert.equal((await fc.outcome('key-1')).status, 'NOTFOUND');
    } finally {
      process.stderr.write = original;
    }
    assert.ok(written.some((line) => /call log.*outcome.*database is down/.test(line)));
  });

  it('refuses incomplete credentials when it is created', () => {
    assert.throws(
      () =>
        createFlexChargeClient({
          baseUrl: 'http://x/v1/',
          environment: 'local',
          credentials: { appKey: 'k', appSecret: '' },
        }),
      ConfigError,
    );
  });
});

describe('FlexCharge environments', () => {
  it('uses the hosted base URLs for sandbox and production', () => {
    assert.equal(
      resolveFlexChargeBaseUrl({ environment: 'sandbox' }),
      'https://api-sandbox.flexfactor.io/v1/',
    );
    assert.equal(resolveFlexChargeBaseUrl({ environment: 'production' }), FLEXCHARGE_BASE_URLS.production);
  });

  it('lets FLEXCHARGE_BASE_URL override any environment and adds the trailing slash', () => {
    assert.equal(
      resolveFlexChargeBaseUrl({ environment: 'production', override: 'http://127.0.0.1:4010/v1' }),
      'http://127.0.0.1:4010/v1/',
    );
  });

  it('needs the local sandbox URL for the local environment', () => {
    assert.equal(
      resolveFlexChargeBaseUrl({ environment: 'local', localBaseUrl: 'http://127.0.0.1:5000/v1/' }),
      'http://127.0.0.1:5000/v1/',
    );
    assert.throws(() => resolveFlexChargeBaseUrl({ environment: 'local' }), ConfigError);
  });
});
