import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEMO_SUBSCRIBER_KEY } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { verifyWebhookSignature } from '../../adapters/flexcharge/webhook-signature.js';
import { webhookPayloadSchema } from '../../adapters/flexcharge/wire/webhook-payload.js';
import { DAY_MS } from '../../plugin/core/clock.js';
import {
  accessToken,
  evaluate,
  managedMit,
  NEVER_RESCUED_PAN,
  newSandbox,
  startReceiver,
} from './sandbox-test-kit.js';

const DECISION_DELAY_MS = 60_000;

describe('sandbox managed MIT', () => {
  it('approves a rescuable MIT after the decision delay and delivers order.completed until the receiver takes it', async () => {
    const receiver = await startReceiver([500, 500]);
    const { api, clock, sandbox } = newSandbox({
      decisionDelayMs: DECISION_DELAY_MS,
      webhook: { url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY },
    });
    try {
      const token = await accessToken(api);
      const body = managedMit(clock.now());
      const evaluated = await evaluate(api, token, body).expect(200);
      assert.equal(evaluated.body.status, 'SUBMITTED');
      assert.equal(evaluated.body.orderId, evaluated.body.orderSessionKey);
      const orderSessionKey = evaluated.body.orderSessionKey;

      await sandbox.runDue();
      assert.equal(sandbox.orders.get(orderSessionKey)?.state, 'processing');
      assert.equal(receiver.received.length, 0);

      clock.advance(DECISION_DELAY_MS);
      await sandbox.runDue();
      assert.equal(sandbox.orders.get(orderSessionKey)?.state, 'completed');
      clock.advance(29_000);
      await sandbox.runDue(); // the first retry is due 30 s after the first attempt, not yet
      clock.advance(1_000);
      await sandbox.runDue();
      clock.advance(120_000);
      await sandbox.runDue();
      await sandbox.runDue(); // delivered: nothing more to send

      assert.deepEqual(
        receiver.received.map((r) => [r.json.IsResent, r.answeredWith]),
        [
          [false, 500],
          [true, 500],
          [true, 200],
        ],
      );
      assert.deepEqual(
        sandbox.deliveries.map((d) => [d.event, d.attempt, d.status, d.isResent]),
        [
          ['order.completed', 1, 500, false],
          ['order.completed', 2, 500, true],
          ['order.completed', 3, 200, true],
        ],
      );
      const order = sandbox.orders.get(orderSessionKey);
      const nonces = new Set<string>();
      for (const delivery of receiver.received) {
        assert.equal(delivery.headers['content-type'], 'application/json');
        const verified = verifyWebhookSignature({
          subscriberKey: DEMO_SUBSCRIBER_KEY,
          host: String(delivery.headers.host),
          rawBody: delivery.rawBody,
          headers: delivery.headers,
          now: clock.now(),
        });
        nonces.add(verified.nonce);
        const payload = webhookPayloadSchema.parse(delivery.json);
        assert.equal(payload.Event, 'order.completed');
        assert.equal(payload.OrderId, orderSessionKey);
        assert.equal(payload.ExternalOrderId, body.orderId);
        assert.equal(payload.ConfirmationId, order?.confirmationId);
        assert.match(String(payload.ConfirmationId), /^[0-9A-F]{8}$/);
        assert.equal(payload.IsTestMode, true);
        assert.equal(payload.EventData, null);
        assert.match(payload.TimeStamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      }
      assert.equal(nonces.size, 3);
      assert.deepEqual(Object.keys(receiver.received[0]?.json ?? {}), [
        'Event',
        'TimeStamp',
        'EventData',
        'ExternalOrderId',
        'OrderId',
        'ConfirmationId',
        'IsTestMode',
        'IsResent',
      ]);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('expires a MIT it cannot rescue once the clock passes expiryDateUtc, with order.expired', async () => {
    const receiver = await startReceiver();
    const { api, clock, sandbox } = newSandbox({
      webhook: { url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY },
    });
    try {
      const token = await accessToken(api);
      const body = managedMit(clock.now(), { paymentMethod: { cardNumber: NEVER_RESCUED_PAN } });
      const { orderSessionKey } = (await evaluate(api, token, body).expect(200)).body;
      clock.advance(21 * DAY_MS - 1);
      await sandbox.runDue();
      const fresh = await accessToken(api); // three weeks on, the first token is long expired
      const outcome = await api.post('/v1/outcome').auth(fresh, { type: 'bearer' }).send({ orderSessionKey });
      assert.equal(outcome.body.status, 'PROCESSING');
      assert.equal(receiver.received.length, 0);

      clock.advance(1);
      await sandbox.runDue();
      const expired = await api.post('/v1/outcome').auth(fresh, { type: 'bearer' }).send({ orderSessionKey });
      assert.equal(expired.body.status, 'EXPIRED');
      assert.equal(expired.body.confirmationId, null);
      assert.deepEqual(
        receiver.received.map((r) => [r.json.Event, r.json.OrderId, r.json.ConfirmationId]),
        [['order.expired', orderSessionKey, null]],
      );
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('lets a rescuable MIT expire when its orderId falls outside the approval rate', async () => {
    const { api, clock, sandbox } = newSandbox({ approvalRate: 0 });
    const token = await accessToken(api);
    const { orderSessionKey } = (await evaluate(api, token, managedMit(clock.now())).expect(200)).body;
    clock.advance(21 * DAY_MS);
    await sandbox.runDue();
    assert.equal(sandbox.orders.get(orderSessionKey)?.state, 'expired');
  });

  it('answers a repeat evaluate for the same orderId with the current state and creates nothing', async () => {
    const { api, clock, sandbox } = newSandbox({ decisionDelayMs: DECISION_DELAY_MS });
    const token = await accessToken(api);
    const first = managedMit(clock.now());
    const created = (await evaluate(api, token, first).expect(200)).body;
    clock.advance(DAY_MS); // the expiry is now only 20 days away; a repeat is still answered
    const again = (await evaluate(api, await accessToken(api), { ...first, idempotencyKey: randomUUID() }))
      .body;
    assert.equal(again.status, 'SUBMITTED');
    assert.equal(again.orderSessionKey, created.orderSessionKey);
    await sandbox.runDue();
    const token2 = await accessToken(api);
    const later = (await evaluate(api, token2, { ...first, idempotencyKey: randomUUID() })).body;
    assert.equal(later.status, 'APPROVED');
    assert.equal(later.orderSessionKey, created.orderSessionKey);
    assert.equal(sandbox.orders.size, 1);
  });

  it('holds events while no webhook target is set and delivers them once one is', async () => {
    const receiver = await startReceiver();
    const { api, clock, sandbox } = newSandbox({ decisionDelayMs: 0 });
    try {
      const token = await accessToken(api);
      await evaluate(api, token, managedMit(clock.now())).expect(200);
      await sandbox.runDue();
      assert.equal(sandbox.deliveries.length, 0);
      sandbox.setWebhook({ url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
      await sandbox.runDue();
      assert.deepEqual(
        receiver.received.map((r) => r.json.Event),
        ['order.completed'],
      );
    } finally {
      await receiver.close();
    }
  });

  it('records a refused connection as a failed attempt and gives up after ten', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const { api, clock, sandbox } = newSandbox({
      decisionDelayMs: 0,
      webhook: { url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY },
    });
    const token = await accessToken(api);
    await evaluate(api, token, managedMit(clock.now())).expect(200);
    for (let i = 0; i < 12; i++) {
      await sandbox.runDue();
      clock.advance(DAY_MS);
    }
    assert.equal(sandbox.deliveries.length, 10);
    assert.ok(sandbox.deliveries.every((d) => d.error && d.status === undefined));
    assert.deepEqual(
      sandbox.deliveries.map((d) => d.gaveUp),
      [...Array(9).fill(false), true],
    );
  });
});
