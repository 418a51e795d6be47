import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  ADMIN_TOKEN,
  flexchargeBody,
  type HttpHarness,
  startHttpHarness,
  stripeEvent,
} from './http-harness.js';

/** Builds JSON text by hand, so it can carry escapes (`\u0000`, lone surrogates) exactly as sent. */
const invoiceVoided = (id: string, descriptionJson: string) =>
  `{"id":"${id}","object":"event","type":"invoice.voided","created":1777888000,"request":{"id":null},` +
  `"data":{"object":{"id":"in_${id.slice(4, 20)}","object":"invoice","description":${descriptionJson}}}}`;

const newEventId = () => `evt_${randomUUID().replaceAll('-', '')}`;

describe('signed webhooks the database cannot store as they are', () => {
  let h: HttpHarness;
  before(async () => {
    h = await startHttpHarness();
  });
  after(() => h.close());

  const rowOf = async (source: string, eventId: string) =>
    (await h.inboxRows(source)).find((r) => r.event_id === eventId);

  for (const [cause, json, stored] of [
    ['a \\u0000 in a string', '"net 30\\u0000 terms"', 'net 30\uFFFD terms'],
    ['a lone surrogate', '"caf\\ud800e"', 'caf\uFFFDe'],
  ] as const) {
    it(`stores a Stripe event with ${cause}: a sanitised copy to work with, the signed bytes beside it, 200`, async () => {
      const id = newEventId();
      const body = invoiceVoided(id, json);
      const res = await h.postStripe(body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const row = await rowOf('stripe', id);
      const payload = row?.payload as { data: { object: { description: string } } };
      assert.equal(payload.data.object.description, stored);
      assert.equal(Buffer.from(row?.raw_body ?? []).toString(), body, 'the raw bytes, exactly as signed');
      assert.equal(row?.quarantine_reason, null, 'the invoice id is intact, so the event is worked on');
    });
  }

  it('stores a Stripe event nested deeper than anything real, cut at a safe depth, with its bytes, 200', async () => {
    const id = newEventId();
    const depth = 6000;
    const body = invoiceVoided(id, `${'['.repeat(depth)}"deep"${']'.repeat(depth)}`);
    const res = await h.postStripe(body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const row = await rowOf('stripe', id);
    assert.ok(row, 'stored');
    assert.equal(Buffer.from(row.raw_body ?? []).length, Buffer.byteLength(body));
    assert.equal((row.payload as { type: string }).type, 'invoice.voided');
  });

  it('keeps a Stripe event whose id is too long to index in quarantine, answers 200, and counts a redelivery once', async () => {
    const id = `evt_${'x'.repeat(5000)}`;
    const body = JSON.stringify(stripeEvent('invoice.voided', { id: 'in_long', object: 'invoice' }, id));
    const first = await h.postStripe(body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.quarantined, true);
    const again = await h.postStripe(body);
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);

    const rows = (await h.inboxRows('stripe')).filter((r) => r.quarantine_reason !== null);
    assert.equal(rows.length, 1);
    assert.match(rows[0]?.quarantine_reason ?? '', /event id/);
    assert.equal(Buffer.from(rows[0]?.raw_body ?? []).toString(), body);

    const listed = await h.http.get('/admin/inbox/quarantined').auth(ADMIN_TOKEN, { type: 'bearer' });
    assert.equal(listed.status, 200);
    const shown = listed.body.events.find((ev: { source: string }) => ev.source === 'stripe');
    assert.match(shown?.reason ?? '', /event id/, 'the support queue shows it and why');
    assert.equal(shown.eventType, 'invoice.voided');
    assert.ok(shown.eventId.length <= 81, 'its id cut short');
    assert.equal(JSON.stringify(listed.body).includes('in_long'), false, 'never its payload');
  });

  it('quarantines a FlexCharge order event whose order id carries a NUL, instead of a 500 on every re-send', async () => {
    const body = flexchargeBody({ Event: 'order.completed', OrderId: `${randomUUID()}\u0000` });
    const res = await h.postFlexCharge(body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.quarantined, true);
    const rows = (await h.inboxRows('flexcharge')).filter((r) => r.quarantine_reason !== null);
    assert.equal(rows.length, 1);
  });

  it('never hands a quarantined event to the worker; the others are worked on', async () => {
    await h.plugin.worker.drain();
    const rows = await h.inboxRows();
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.equal(row.processed_at === null, row.quarantine_reason !== null, row.event_id.slice(0, 40));
    }
  });

  it('writes the FlexCharge nonce and the inbox row in one transaction: a failed write spends no nonce', async () => {
    const { db } = h.database;
    await sql`create function flexcharge_mit.refuse_insert() returns trigger language plpgsql as
      $$ begin raise exception 'disk full (simulated)'; end $$`.execute(db);
    await sql`create trigger refuse_insert before insert on flexcharge_mit.inbox_events
      for each row execute function flexcharge_mit.refuse_insert()`.execute(db);
    const orderId = randomUUID();
    const body = flexchargeBody({ Event: 'order.expired', OrderId: orderId });
    const headers = h.flexchargeHeaders(body);
    try {
      const failed = await h.postFlexCharge(body, headers);
      assert.equal(failed.status, 500);
    } finally {
      await sql`drop trigger refuse_insert on flexcharge_mit.inbox_events`.execute(db);
    }
    // FlexCharge re-sends the very same signed request: it must not be taken for a replay.
    const retried = await h.postFlexCharge(body, headers);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.ok(await rowOf('flexcharge', `${orderId}:order.expired`));
  });
});
