import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { flexchargeBody, type HttpHarness, startHttpHarness } from './http-harness.js';

describe('FlexCharge webhooks: kinds the plugin does not act on, and the optional body signature', () => {
  let h: HttpHarness;
  before(async () => {
    h = await startHttpHarness();
  });
  after(() => h.close());

  const notices = [
    flexchargeBody({
      Event: 'payout.created',
      EventData: { PayoutId: 'po_1', Amount: 1250, Currency: 'USD' },
    }),
    flexchargeBody({ Event: 'payout.updated', EventData: { PayoutId: 'po_1', Status: 'completed' } }),
    flexchargeBody({ Event: 'payment.chargeback.received', OrderId: randomUUID(), ExternalOrderId: 'in_cb' }),
    flexchargeBody({ Event: 'challenge.presented', OrderId: randomUUID() }),
    flexchargeBody({ Event: 'order.capturerequired', OrderId: randomUUID(), ConfirmationId: 'ABCDEF12' }),
  ];

  it('acknowledges a verified payout, chargeback or challenge event with 200 and keeps it', async () => {
    for (const body of notices) {
      const res = await h.postFlexCharge(body);
      assert.equal(res.status, 200, `${body}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.duplicate, false);
    }
    const rows = await h.inboxRows('flexcharge');
    assert.deepEqual(
      rows.map((r) => r.event_type),
      notices.map((b) => (JSON.parse(b) as { Event: string }).Event),
    );
    const payout = rows[0]?.payload as { Event: string; EventData: { PayoutId: string } };
    assert.equal(payout.EventData.PayoutId, 'po_1', 'the event as FlexCharge sent it, for finance');
  });

  it('acts on none of them: they are stored as already handled, and the worker finds nothing to do', async () => {
    const rows = await h.inboxRows('flexcharge');
    assert.ok(rows.every((r) => r.processed_at !== null));
    assert.deepEqual(await h.plugin.worker.runOnce(), { inbox: 0, rescues: 0, transmissions: 0 });
  });

  it('keeps a re-sent notice to one row', async () => {
    const resent = JSON.stringify({ ...JSON.parse(notices[1]!), IsResent: true });
    const res = await h.postFlexCharge(resent);
    assert.equal(res.status, 200);
    assert.equal(res.body.duplicate, true);
    assert.equal((await h.inboxRows('flexcharge')).length, notices.length);
  });

  it('accepts a delivery without x-fc-signature when x-fc-authorization verifies', async () => {
    const orderId = randomUUID();
    const body = flexchargeBody({ Event: 'order.completed', OrderId: orderId, ConfirmationId: '22ACD1D9' });
    const { 'x-fc-signature': _bodyOnly, ...headers } = h.flexchargeHeaders(body);
    const res = await h.postFlexCharge(body, headers);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const row = (await h.inboxRows('flexcharge')).find((r) => r.event_id === `${orderId}:order.completed`);
    assert.equal(row?.processed_at, null, 'an order event is left for the worker to act on');
  });

  it('still refuses a body without a verifying x-fc-authorization, and an event with no name', async () => {
    const body = flexchargeBody({ Event: 'payout.created' });
    const { 'x-fc-authorization': _auth, ...bodySignatureOnly } = h.flexchargeHeaders(body);
    assert.equal((await h.postFlexCharge(body, bodySignatureOnly)).status, 400);
    assert.equal((await h.postFlexCharge(flexchargeBody({ OrderId: randomUUID() }))).status, 400);
  });
});
