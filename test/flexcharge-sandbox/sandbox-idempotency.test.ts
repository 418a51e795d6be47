import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DAY_MS } from '../../plugin/core/clock.js';
import { accessToken, declinedTransaction, evaluate, managedMit, newSandbox } from './sandbox-test-kit.js';

describe('sandbox idempotency keys', () => {
  it('replays the first response for the same key and payload, even after the order moved on', async () => {
    const { api, clock, sandbox } = newSandbox({ decisionDelayMs: 0 });
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    const first = await evaluate(api, token, body).expect(200);
    await sandbox.runDue();
    const replay = await evaluate(api, token, body).expect(200);
    assert.deepEqual(replay.body, first.body);
    assert.equal(replay.body.status, 'SUBMITTED');
    assert.equal(sandbox.orders.size, 1);
  });

  it('treats a payload that differs only in key casing and order as the same payload', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    const first = await evaluate(api, token, body).expect(200);
    const { orderId, isDeclined, ...rest } = body;
    const replay = await evaluate(api, token, { ...rest, IsDeclined: isDeclined, ORDERID: orderId }).expect(
      200,
    );
    assert.deepEqual(replay.body, first.body);
  });

  it('answers 409 when the same key comes back with another payload, and creates nothing', async () => {
    const { api, clock, sandbox } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    await evaluate(api, token, body).expect(200);
    const changed = { ...body, transaction: declinedTransaction({ id: 'ch_other', amount: 2999 }) };
    const conflict = await evaluate(api, token, changed).expect(409);
    assert.equal(conflict.body.status, 409);
    assert.match(conflict.body.title, /idempotency key/i);
    assert.match(conflict.body.detail, new RegExp(String(body.idempotencyKey)));
    assert.match(conflict.body.traceId, /^00-/);
    assert.equal(sandbox.orders.size, 1);
  });

  it('forgets a key after 24 hours on the sandbox clock', async () => {
    const { api, clock, sandbox } = newSandbox({ decisionDelayMs: 0 });
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    await evaluate(api, token, body).expect(200);
    await sandbox.runDue();
    clock.advance(DAY_MS);
    const fresh = await accessToken(api);
    const later = await evaluate(api, fresh, body).expect(200);
    assert.equal(later.body.status, 'APPROVED');
    const changed = await evaluate(api, fresh, { ...body, orderId: `INV-${randomUUID()}` });
    assert.equal(changed.status, 409, 'the key now belongs to the request of a moment ago');
  });

  it('shares keys across operations: a cancel reusing an evaluate key is a conflict', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    const { orderSessionKey } = (await evaluate(api, token, body).expect(200)).body;
    await api
      .post(`/v1/orders/${orderSessionKey}/cancel`)
      .auth(token, { type: 'bearer' })
      .send({ idempotencyKey: body.idempotencyKey })
      .expect(409);
  });
});
