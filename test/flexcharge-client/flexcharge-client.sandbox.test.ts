import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createFlexChargeClient,
  type FlexChargeClientOptions,
} from '../../adapters/flexcharge/flexcharge-client.js';
import { FlexChargeError } from '../../adapters/flexcharge/flexcharge-errors.js';
import { createFlexChargeSandbox, DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { ManualClock } from '../../plugin/core/clock.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createFlexChargeCallLog } from '../../plugin/storage/flexcharge-call-log.js';
import { createTestDatabase } from '../support/test-database.js';
import { managedMitRequest, RESCUABLE_CARD, tokenizeRequest, transmitRequest } from './fixtures.js';

/**
 * The client over real HTTP against the local FlexCharge sandbox, with the call log in the test
 * database. The sandbox and the client share one manual clock, so decisions happen on demand.
 */

const DECISION_DELAY_MS = 60_000;
const MAX_RETRIES = 2;

type Sandbox = ReturnType<typeof createFlexChargeSandbox>;
type Server = Awaited<ReturnType<Sandbox['listen']>>;

describe('FlexCharge client against the sandbox', () => {
  let handle: DatabaseHandle;
  let clock: ManualClock;
  let sandbox: Sandbox;
  let server: Server;
  const sleeps: number[] = [];

  before(async () => {
    handle = await createTestDatabase();
    clock = new ManualClock('2026-06-12T14:30:00Z');
    sandbox = createFlexChargeSandbox({ clock, decisionDelayMs: DECISION_DELAY_MS });
    server = await sandbox.listen(0);
  });
  after(async () => {
    await server.close();
    await sandbox.close();
    await handle.close();
  });

  function newClient(extra: Partial<FlexChargeClientOptions> = {}) {
    return createFlexChargeClient({
      baseUrl: server.baseUrl,
      environment: 'local',
      credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret },
      mid: DEMO_CREDENTIAL.mid,
      tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
      clock,
      callLog: createFlexChargeCallLog(handle.db),
      maxRetries: MAX_RETRIES,
      timeoutMs: 2_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        await delay(1);
      },
      ...extra,
    });
  }

  const tokenCalls = () => sandbox.requests.filter((r) => r.path.endsWith('/oauth2/token')).length;

  async function loggedAttempts(idempotencyKey: string) {
    return handle.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select(['attempt', 'outcome', 'status_code', 'error_class', 'retryable', 'trace_id'])
      .where('idempotency_key', '=', idempotencyKey)
      .orderBy('id')
      .execute();
  }

  async function submittedMit(fc: ReturnType<typeof newClient>, overrides: { idempotencyKey?: string } = {}) {
    const { token } = await fc.tokenize(tokenizeRequest());
    const request = managedMitRequest({ token, now: clock.now(), ...overrides });
    const response = await fc.evaluate(request);
    assert.equal(response.status, 'SUBMITTED');
    assert.ok(response.orderSessionKey);
    return { token, request, orderSessionKey: response.orderSessionKey };
  }

  describe('access token', () => {
    it('fetches exactly one token for concurrent first calls and reuses it for later ones', async () => {
      const fc = newClient();
      const before = tokenCalls();
      const answers = await Promise.all(Array.from({ length: 5 }, () => fc.outcome(randomUUID())));
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(5).fill('NOTFOUND'),
      );
      await fc.outcome(randomUUID());
      assert.equal(tokenCalls() - before, 1);
    });

    it('renews the token once after FlexCharge revokes it and repeats the call', async () => {
      const fc = newClient();
      await fc.outcome(randomUUID());
      const before = tokenCalls();
      sandbox.revokeTokens();
      const { request, orderSessionKey } = await submittedMit(fc);
      // The listening sandbox picks a Draft order up on its own timer, so either answer is in order.
      assert.ok(['SUBMITTED', 'PROCESSING'].includes(String((await fc.outcome(orderSessionKey)).status)));
      assert.equal(tokenCalls() - before, 1);
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.status_code, a.error_class]),
        [
          [1, 401, 'FlexChargeAuthError'],
          [2, 200, null],
        ],
      );
    });

    it('reports refused credentials as a final auth error without retrying', async () => {
      const fc = newClient({
        credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: 'not-the-secret-at-all' },
      });
      const before = tokenCalls();
      await assert.rejects(fc.getOrder(randomUUID()), (e: unknown) => {
        assert.ok(e instanceof FlexChargeError);
        assert.equal(e.kind, 'auth');
        assert.equal(e.retryable, false);
        assert.doesNotMatch(e.message, /not-the-secret-at-all/);
        return true;
      });
      assert.equal(tokenCalls() - before, 1);
    });
  });

  describe('endpoints', () => {
    it('tokenizes a card, submits a managed MIT, reads its outcome and order, and cancels it', async () => {
      const fc = newClient();
      const { token, last4 } = await fc.tokenize(tokenizeRequest());
      assert.ok(token.length > 8);
      assert.equal(last4, '3184');
      const evaluated = await fc.evaluate(managedMitRequest({ token, now: clock.now() }));
      assert.equal(evaluated.status, 'SUBMITTED');
      const key = evaluated.orderSessionKey ?? assert.fail('no orderSessionKey');
      assert.ok(['SUBMITTED', 'PROCESSING'].includes(String((await fc.outcome(key)).status)));
      const order = await fc.getOrder(key);
      assert.equal(order.id, key);
      assert.ok(['DRAFT', 'PROCESSING'].includes(String(order.statusName)));
      await fc.cancelOrder(key, { idempotencyKey: randomUUID() });
      assert.equal((await fc.outcome(key)).status, 'CANCELLED');
      assert.equal((await fc.getOrder(key)).statusName, 'CANCELLED');
    });

    it('transmits a copy of an approved renewal', async () => {
      const fc = newClient();
      const response = await fc.transmit(transmitRequest(clock.now()));
      assert.equal(response.success, true);
    });

    it('refunds a MIT once FlexCharge has approved it', async () => {
      const fc = newClient();
      const { orderSessionKey } = await submittedMit(fc);
      clock.advance(DECISION_DELAY_MS + 1_000);
      await sandbox.runDue();
      assert.equal((await fc.outcome(orderSessionKey)).status, 'APPROVED');
      assert.equal((await fc.getOrder(orderSessionKey)).statusName, 'COMPLETED');
      const refund = await fc.refundOrder(orderSessionKey, {
        amountToRefund: 19.99,
        refundMessage: 'customer request',
      });
      assert.ok(['SUCCESS', 'APPROVED'].includes(String(refund.status)), `refund status ${refund.status}`);
      assert.equal((await fc.getOrder(orderSessionKey)).statusName, 'RETURNED');
    });

    it('answers NOTFOUND for an unknown orderSessionKey and a not_found error for an unknown order', async () => {
      const fc = newClient();
      assert.equal((await fc.outcome(randomUUID())).status, 'NOTFOUND');
      await assert.rejects(fc.getOrder(randomUUID()), {
        kind: 'not_found',
        retryable: false,
        statusCode: 404,
      });
    });
  });

  describe('errors', () => {
    it('does not retry a 400 from the amount rule and names the field with the trace id', async () => {
      const fc = newClient();
      const { token } = await fc.tokenize(tokenizeRequest());
      const request = managedMitRequest({ token, now: clock.now(), amount: 5 });
      const error = await fc.evaluate(request).then(
        () => assert.fail('expected a validation error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof FlexChargeError);
      assert.equal(error.kind, 'validation');
      assert.equal(error.retryable, false);
      assert.equal(error.statusCode, 400);
      assert.ok(
        Object.keys(error.fields).some((path) => /amount/i.test(path)),
        JSON.stringify(error.fields),
      );
      assert.match(error.traceId ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0]?.trace_id, error.traceId);
    });

    it('does not retry a 409 when an idempotency key comes back with another payload', async () => {
      const fc = newClient();
      const idempotencyKey = randomUUID();
      const { token, request } = await submittedMit(fc, { idempotencyKey });
      const replay = await fc.evaluate(request);
      assert.equal(replay.status, 'SUBMITTED');
      const changed = managedMitRequest({ token, now: clock.now(), idempotencyKey, amount: 2999 });
      await assert.rejects(fc.evaluate(changed), { kind: 'conflict', retryable: false, statusCode: 409 });
      const attempts = await loggedAttempts(idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => [a.outcome, a.status_code]),
        [
          ['ok', 200],
          ['ok', 200],
          ['http_error', 409],
        ],
      );
    });

    it('retries a 429 and then succeeds, with both attempts in the call log', async () => {
      const fc = newClient();
      const { token } = await fc.tokenize(tokenizeRequest());
      const request = managedMitRequest({ token, now: clock.now() });
      sandbox.injectFault({ path: '/v1/evaluate', status: 429, times: 1 });
      assert.equal((await fc.evaluate(request)).status, 'SUBMITTED');
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.error_class, a.retryable]),
        [
          [1, 'http_error', 429, 'FlexChargeRateLimitError', true],
          [2, 'ok', 200, null, null],
        ],
      );
    });

    it('retries a 503 and then succeeds, with both attempts in the call log', async () => {
      const fc = newClient();
      const { token } = await fc.tokenize(tokenizeRequest());
      const request = managedMitRequest({ token, now: clock.now() });
      sandbox.injectFault({ path: '/v1/evaluate', status: 503, times: 1 });
      assert.equal((await fc.evaluate(request)).status, 'SUBMITTED');
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.retryable]),
        [
          [1, 'http_error', 503, true],
          [2, 'ok', 200, null],
        ],
      );
    });

    it('gives up with a retryable server error when 500s outlast the retries', async () => {
      const fc = newClient();
      const { token } = await fc.tokenize(tokenizeRequest());
      const request = managedMitRequest({ token, now: clock.now() });
      sandbox.injectFault({ path: '/v1/evaluate', status: 500, times: MAX_RETRIES + 1 });
      await assert.rejects(fc.evaluate(request), { kind: 'server', retryable: true, statusCode: 500 });
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => a.attempt),
        [1, 2, 3],
      );
    });

    it('times out an attempt slower than timeoutMs and succeeds on the retry', async () => {
      const fc = newClient({ timeoutMs: 400 });
      const { token } = await fc.tokenize(tokenizeRequest());
      const request = managedMitRequest({ token, now: clock.now() });
      sandbox.injectFault({ path: '/v1/evaluate', delayMs: 2_000, times: 1 });
      assert.equal((await fc.evaluate(request)).status, 'SUBMITTED');
      const attempts = await loggedAttempts(request.idempotencyKey);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.outcome, a.error_class, a.retryable]),
        [
          [1, 'timeout', 'FlexChargeTimeoutError', true],
          [2, 'ok', null, null],
        ],
      );
    });

    it('reports a dropped connection as a retryable network error once retries run out', async () => {
      const fc = newClient();
      const orderId = randomUUID();
      sandbox.injectFault({ path: `/v1/orders/${orderId}`, dropConnection: true, times: MAX_RETRIES + 1 });
      await assert.rejects(fc.getOrder(orderId), { kind: 'network', retryable: true });
      const rows = await handle.db
        .selectFrom('flexcharge_mit.flexcharge_calls')
        .select(['attempt', 'outcome'])
        .where('path', '=', `/v1/orders/${orderId}`)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.attempt, r.outcome]),
        [
          [1, 'network_error'],
          [2, 'network_error'],
          [3, 'network_error'],
        ],
      );
    });
  });

  describe('call log', () => {
    it('logs every attempt, token calls included, with no card number, card token or secret in it', async () => {
      const fc = newClient();
      const { token, orderSessionKey } = await submittedMit(fc);
      await fc.getOrder(orderSessionKey);
      const rows = await handle.db.selectFrom('flexcharge_mit.flexcharge_calls').selectAll().execute();
      const operations = new Set(rows.map((r) => r.operation));
      for (const op of [
        'token',
        'tokenize',
        'evaluate',
        'outcome',
        'getOrder',
        'cancelOrder',
        'refundOrder',
        'transmit',
      ]) {
        assert.ok(operations.has(op), `no ${op} row`);
      }
      const stored = JSON.stringify(rows);
      for (const secret of [
        RESCUABLE_CARD,
        '4000 0027 6000 3184',
        token,
        DEMO_CREDENTIAL.appSecret,
        DEMO_CREDENTIAL.tokenizationKey,
      ]) {
        assert.ok(!stored.includes(secret), `the call log holds ${secret.slice(0, 4)}…`);
      }
      assert.doesNotMatch(stored, /eyJ[\w-]+\.[\w-]+/, 'the call log holds an access token');
      assert.match(stored, new RegExp(`…${token.slice(-4)}`));
      assert.match(stored, /"verification_value":"\[redacted\]"/);
      const evaluate = rows.find((r) => r.operation === 'evaluate' && r.outcome === 'ok');
      assert.ok(evaluate?.idempotency_key);
      assert.match(evaluate?.trace_id ?? '', /^00-/);
      assert.equal(evaluate?.environment, 'local');
      assert.equal(evaluate?.path, '/v1/evaluate');
    });
  });
});

describe('FlexCharge client against a sandbox answering the flat 2024 error shape', () => {
  it('parses the fields and the trace id of a flat 400 body', async () => {
    const clock = new ManualClock('2026-06-12T14:30:00Z');
    const sandbox = createFlexChargeSandbox({ clock, errorShape: 'flat' });
    const server = await sandbox.listen(0);
    try {
      const fc = createFlexChargeClient({
        baseUrl: server.baseUrl,
        environment: 'local',
        credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret },
        mid: DEMO_CREDENTIAL.mid,
        tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
        clock,
      });
      const { token } = await fc.tokenize(tokenizeRequest());
      const error = await fc.evaluate(managedMitRequest({ token, now: clock.now(), amount: 20_000 })).then(
        () => assert.fail('expected a validation error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof FlexChargeError);
      assert.equal(error.kind, 'validation');
      assert.ok(
        Object.keys(error.fields).some((path) => /amount/i.test(path)),
        JSON.stringify(error.fields),
      );
      assert.ok(!('TraceId' in error.fields));
      assert.match(error.traceId ?? '', /^00-/);
    } finally {
      await server.close();
      await sandbox.close();
    }
  });
});
