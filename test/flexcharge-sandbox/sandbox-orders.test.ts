import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  DEMO_SUBSCRIBER_KEY,
  type FlexChargeSandboxOptions,
} from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import {
  orderResponseSchema,
  outcomeResponseSchema,
  refundResponseSchema,
} from '../../adapters/flexcharge/wire/responses.js';
import { DAY_MS } from '../../plugin/core/clock.js';
import {
  accessToken,
  cit,
  declinedTransaction,
  evaluate,
  managedMit,
  newSandbox,
  startReceiver,
} from './sandbox-test-kit.js';

const DELAY = 30_000;

/** A sandbox with one managed MIT, approved or still pending, and a token to call it with. */
async function withMit(options: {
  approved: boolean;
  amount?: number;
  sandbox?: Partial<FlexChargeSandboxOptions>;
}) {
  const kit = newSandbox({ decisionDelayMs: DELAY, ...options.sandbox });
  const token = await accessToken(kit.api);
  const body = managedMit(kit.clock.now(), {
    transaction: declinedTransaction({ id: 'ch_1', amount: options.amount ?? 1999 }),
  });
  const { orderSessionKey } = (await evaluate(kit.api, token, body).expect(200)).body;
  if (options.approved) {
    kit.clock.advance(DELAY);
    await kit.sandbox.runDue();
  }
  const call = (method: 'get' | 'post', path: string) =>
    kit.api[method](path).auth(token, { type: 'bearer' });
  return { ...kit, token, body, orderSessionKey: orderSessionKey as string, call };
}

describe('sandbox /outcome', () => {
  it('follows a managed MIT from SUBMITTED through PROCESSING to APPROVED with a confirmation id', async () => {
    const { call, orderSessionKey, sandbox, clock } = await withMit({ approved: false });
    const outcome = async () =>
      outcomeResponseSchema.parse((await call('post', '/v1/outcome').send({ orderSessionKey })).body);
    assert.deepEqual([(await outcome()).status, (await outcome()).confirmationId], ['SUBMITTED', null]);
    await sandbox.runDue();
    assert.equal((await outcome()).status, 'PROCESSING');
    clock.advance(DELAY);
    await sandbox.runDue();
    const approved = await outcome();
    assert.equal(approved.status, 'APPROVED');
    assert.match(String(approved.confirmationId), /^[0-9A-F]{8}$/);
  });

  it('answers 200 NOTFOUND for a key it does not know', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const response = await api
      .post('/v1/outcome')
      .auth(token, { type: 'bearer' })
      .send({ orderSessionKey: randomUUID() })
      .expect(200);
    assert.equal(response.body.status, 'NOTFOUND');
  });
});

describe('sandbox GET /orders/{id}', () => {
  it('gives the numeric status with its upper-case name, dates, amount and currency', async () => {
    const { call, orderSessionKey, sandbox, clock, body } = await withMit({ approved: false });
    const read = async () =>
      orderResponseSchema.parse((await call('get', `/v1/orders/${orderSessionKey}`).expect(200)).body);
    const draft = await read();
    assert.deepEqual([draft.status, draft.statusName], [0, 'DRAFT']);
    assert.equal(draft.orderPlacedDate, clock.now().toISOString());
    assert.equal(draft.expiryDate, new Date(String(body.expiryDateUtc)).toISOString());
    assert.equal(draft.amount, 1999);
    assert.equal(draft.currencyCode, 'USD');
    await sandbox.runDue();
    assert.deepEqual([(await read()).status, (await read()).statusName], [4, 'PROCESSING']);
    clock.advance(DELAY);
    await sandbox.runDue();
    assert.deepEqual([(await read()).status, (await read()).statusName], [7, 'COMPLETED']);
  });

  it('answers 404 for an unknown order', async () => {
    const { call } = await withMit({ approved: false });
    const response = await call('get', `/v1/orders/${randomUUID()}`).expect(404);
    assert.equal(response.body.status, 404);
  });
});

describe('sandbox order cancel', () => {
  it('cancels a pending MIT with an empty 200, sends order.cancelled, and answers a repeat with 200', async () => {
    const receiver = await startReceiver();
    const { call, orderSessionKey, sandbox } = await withMit({ approved: false });
    sandbox.setWebhook({ url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
    try {
      const cancelled = await call('post', `/v1/orders/${orderSessionKey}/cancel`).expect(200);
      assert.equal(cancelled.text, '');
      await call('post', `/v1/orders/${orderSessionKey}/cancel`).expect(200);
      const outcome = await call('post', '/v1/outcome').send({ orderSessionKey });
      assert.equal(outcome.body.status, 'CANCELLED');
      assert.equal((await call('get', `/v1/orders/${orderSessionKey}`)).body.statusName, 'CANCELLED');
      await sandbox.runDue();
      assert.deepEqual(
        receiver.received.map((r) => r.json.Event),
        ['order.cancelled'],
      );
    } finally {
      await receiver.close();
    }
  });

  it('cancels by the merchant orderId with external-cancel, as one operation with cancel', async () => {
    const { call, orderSessionKey, body } = await withMit({ approved: false });
    const idempotencyKey = randomUUID();
    await call('post', `/v1/orders/${body.orderId}/external-cancel`).send({ idempotencyKey }).expect(200);
    await call('post', `/v1/orders/${orderSessionKey}/cancel`).send({ idempotencyKey }).expect(200);
    assert.equal((await call('post', '/v1/outcome').send({ orderSessionKey })).body.status, 'CANCELLED');
  });

  it('answers 409 to a cancel reusing an idempotency key of another order', async () => {
    const { call, orderSessionKey, api, token, clock } = await withMit({ approved: false });
    const other = (await evaluate(api, token, managedMit(clock.now())).expect(200)).body.orderSessionKey;
    const idempotencyKey = randomUUID();
    await call('post', `/v1/orders/${orderSessionKey}/cancel`).send({ idempotencyKey }).expect(200);
    await call('post', `/v1/orders/${other}/cancel`).send({ idempotencyKey }).expect(409);
  });

  it('refuses to cancel a completed order and says to refund it instead', async () => {
    const { call, orderSessionKey } = await withMit({ approved: true });
    const response = await call('post', `/v1/orders/${orderSessionKey}/cancel`).expect(409);
    assert.match(response.body.detail, /refund/);
  });

  it('with cancelCompleted: accept, answers a completed order’s cancel like any other, and the money stays collected', async () => {
    const receiver = await startReceiver();
    const { call, orderSessionKey, sandbox } = await withMit({
      approved: true,
      sandbox: { cancelCompleted: 'accept' },
    });
    sandbox.setWebhook({ url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
    try {
      const cancelled = await call('post', `/v1/orders/${orderSessionKey}/cancel`).expect(200);
      assert.equal(cancelled.text, '');
      const order = (await call('get', `/v1/orders/${orderSessionKey}`)).body;
      assert.deepEqual([order.status, order.statusName], [7, 'COMPLETED']);
      assert.equal((await call('post', '/v1/outcome').send({ orderSessionKey })).body.status, 'APPROVED');
      await sandbox.runDue();
      assert.deepEqual(
        receiver.received.map((r) => r.json.Event),
        ['order.completed'],
        'no order.cancelled: nothing was cancelled',
      );
    } finally {
      await receiver.close();
    }
  });

  it('answers 404 to cancelling an unknown order', async () => {
    const { call } = await withMit({ approved: false });
    await call('post', `/v1/orders/${randomUUID()}/cancel`).expect(404);
    await call('post', '/v1/orders/NO-SUCH-ORDER/external-cancel').expect(404);
  });
});

describe('sandbox order refund', () => {
  it('refunds in dollars, partially then fully, moving the order to RETURNED with order.refunded each time', async () => {
    const receiver = await startReceiver();
    const { call, orderSessionKey, sandbox } = await withMit({ approved: true });
    sandbox.setWebhook({ url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
    try {
      const partial = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 5 });
      assert.equal(refundResponseSchema.parse(partial.body).status, 'SUCCESS');
      assert.equal((await call('get', `/v1/orders/${orderSessionKey}`)).body.statusName, 'COMPLETED');
      const rest = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 14.99 });
      assert.equal(rest.body.status, 'SUCCESS');
      const order = (await call('get', `/v1/orders/${orderSessionKey}`)).body;
      assert.deepEqual([order.status, order.statusName, order.refundedAmount], [6, 'RETURNED', 1999]);
      await sandbox.runDue();
      assert.deepEqual(
        receiver.received.map((r) => r.json.Event),
        ['order.completed', 'order.refunded', 'order.refunded'],
      );
    } finally {
      await receiver.close();
    }
  });

  it('answers a refund above what is left with the observed FAILED body', async () => {
    const { call, orderSessionKey } = await withMit({ approved: true });
    const response = await call('post', `/v1/orders/${orderSessionKey}/refund`)
      .send({ amountToRefund: 20 })
      .expect(200);
    const message = 'Amount to refund (20.00) is greater than maximum refund amount (19.99)';
    assert.deepEqual(response.body, {
      responseCode: '2001',
      responseMessage: message,
      transactionId: null,
      success: false,
      result: null,
      status: 'FAILED',
      statusCode: null,
      errors: [{ item1: message, item2: '2001', item3: '2001', item4: true }],
      customProperties: {},
    });
  });

  it('answers a repeated full refund with FAILED, nothing left to refund, and refunds once', async () => {
    const { call, orderSessionKey, sandbox } = await withMit({ approved: true });
    const first = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 19.99 });
    assert.equal(first.body.status, 'SUCCESS');
    const again = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 19.99 });
    assert.equal(again.body.status, 'FAILED');
    assert.match(again.body.responseMessage, /maximum refund amount \(0\.00\)/);
    assert.equal(sandbox.orders.get(orderSessionKey)?.refunds.length, 1);
  });

  it('with refundRefunded: replay, answers a refunded order’s refund with the first SUCCESS, refunding once', async () => {
    const { api, call, orderSessionKey, sandbox, clock } = await withMit({
      approved: true,
      sandbox: { refundRefunded: 'replay' },
    });
    const first = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 19.99 });
    clock.advance(2 * DAY_MS);
    const again = await api
      .post(`/v1/orders/${orderSessionKey}/refund`)
      .auth(await accessToken(api), { type: 'bearer' })
      .send({ amountToRefund: 19.99 });
    assert.deepEqual(again.body, first.body);
    assert.equal(sandbox.orders.get(orderSessionKey)?.refunds.length, 1);
    assert.equal(sandbox.orders.get(orderSessionKey)?.refundedAmount, 1999);
  });

  it('treats the same partial refund again within a day as a repeat, not a second refund', async () => {
    const { call, orderSessionKey, sandbox } = await withMit({ approved: true });
    const first = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 5 });
    const again = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 5 });
    assert.deepEqual(again.body, first.body);
    assert.equal(sandbox.orders.get(orderSessionKey)?.refundedAmount, 500);
  });

  it('has nothing to refund on an order FlexCharge has not completed', async () => {
    const { call, orderSessionKey } = await withMit({ approved: false });
    const response = await call('post', `/v1/orders/${orderSessionKey}/refund`).send({ amountToRefund: 1 });
    assert.equal(response.body.status, 'FAILED');
    assert.match(response.body.responseMessage, /maximum refund amount \(0\.00\)/);
  });

  it('validates amountToRefund and answers 404 for an unknown order', async () => {
    const { call, orderSessionKey } = await withMit({ approved: true });
    const invalid = await call('post', `/v1/orders/${orderSessionKey}/refund`)
      .send({ amountToRefund: -1 })
      .expect(400);
    assert.ok(invalid.body.errors.AmountToRefund);
    await call('post', `/v1/orders/${randomUUID()}/refund`).send({ amountToRefund: 1 }).expect(404);
  });
});

describe('sandbox capture', () => {
  it('completes an order awaiting capture', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const body = cit({ transactionType: 'AUTHORIZATION', paymentMethod: { cardNumber: '4242424242424242' } });
    const { orderSessionKey, status } = (await evaluate(api, token, body).expect(200)).body;
    assert.equal(status, 'CAPTUREREQUIRED');
    const capture = {
      idempotencyKey: randomUUID(),
      orderId: orderSessionKey,
      amount: 15000,
      currency: 'USD',
    };
    const captured = await api.post('/v1/capture').auth(token, { type: 'bearer' }).send(capture).expect(200);
    assert.equal(captured.body.status, 'SUCCESS');
    const outcome = await api.post('/v1/outcome').auth(token, { type: 'bearer' }).send({ orderSessionKey });
    assert.equal(outcome.body.status, 'APPROVED');
    const again = await api.post('/v1/capture').auth(token, { type: 'bearer' }).send(capture).expect(200);
    assert.deepEqual(again.body, captured.body);
  });
});
