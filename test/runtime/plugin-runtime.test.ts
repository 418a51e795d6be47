import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { signWebhook } from '../../adapters/flexcharge/webhook-signature.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createTestDatabase } from '../support/test-database.js';

const START = new Date('2026-06-12T14:30:00Z');

describe('the plugin on its embedded defaults, with the local FlexCharge sandbox in-process', () => {
  let database: DatabaseHandle;
  let plugin: RunningPlugin;
  const clock = new ManualClock(START);

  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ PORT: '0', FLEXCHARGE_ENV: 'local', SANDBOX_DECISION_DELAY_SECONDS: '60' });
    plugin = await startPlugin(config, { logger: silentLogger, clock, database });
  });
  after(async () => {
    await plugin.stop();
    await database.close();
  });

  const inboxRows = () =>
    database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .selectAll()
      .where('source', '=', 'flexcharge')
      .orderBy('id')
      .execute();

  it('answers /healthz with 200 when the database is reachable and migrated', async () => {
    const res = await request(plugin.url).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok', database: database.kind, pending: [] });
  });

  async function submitManagedMit(pan: string): Promise<string> {
    const client = plugin.flexcharge.client!;
    const { token } = await client.tokenize({
      payment_method: {
        credit_card: { first_name: 'Jane', last_name: 'Doe', number: pan, month: '09', year: '2030' },
      },
    });
    const response = await client.evaluate({
      isDeclined: true,
      isMIT: true,
      isRecurring: true,
      orderId: `in_${randomUUID()}`,
      idempotencyKey: randomUUID(),
      expiryDateUtc: new Date(clock.now().getTime() + 21 * DAY_MS).toISOString(),
      siteId: DEMO_CREDENTIAL.siteIds?.[0],
      subscription: { subscriptionId: 'sub_1', interval: 'monthly', price: 1999, currency: 'USD' },
      transaction: {
        id: `ch_${randomUUID()}`,
        timestampUtc: clock.now().toISOString(),
        amount: 1999,
        currency: 'USD',
        responseCode: '51',
        responseCodeSource: 'stripe',
        avsResultCode: 'NA',
        cvvResultCode: 'NA',
        cavvResultCode: 'NA',
      },
      payer: { email: 'jane@example.com' },
      billingInformation: {
        firstName: 'Jane',
        lastName: 'Doe',
        country: 'France',
        countryCode: 'FR',
        addressLine1: '1 Rue de Rivoli',
        city: 'Paris',
        zipCode: '75001',
      },
      paymentMethod: { cardNumber: token, token: true },
    });
    assert.equal(response.status, 'SUBMITTED');
    return response.orderSessionKey!;
  }

  it('receives the sandbox’s signed order.completed for an approved managed MIT, once', async () => {
    const orderId = await submitManagedMit('4000002760003184');
    clock.advance(61_000);
    await plugin.flexcharge.sandbox!.sandbox.runDue();
    const rows = (await inboxRows()).filter((r) => (r.payload as { orderId: string }).orderId === orderId);
    assert.deepEqual(
      rows.map((r) => r.event_type),
      ['order.completed'],
    );
    const deliveries = plugin.flexcharge.sandbox!.sandbox.deliveries.filter((d) => d.orderId === orderId);
    assert.equal(deliveries.at(-1)?.status, 200);
  });

  it('receives order.expired once the sandbox clock passes the expiry of an unrescued MIT', async () => {
    const orderId = await submitManagedMit('4000300011112220');
    clock.advance(22 * DAY_MS);
    await plugin.flexcharge.sandbox!.sandbox.runDue();
    const rows = (await inboxRows()).filter((r) => (r.payload as { orderId: string }).orderId === orderId);
    assert.deepEqual(
      rows.map((r) => r.event_type),
      ['order.expired'],
    );
  });

  function signed(
    body: string,
    overrides: { key?: string; date?: Date; host?: string } = {},
  ): Record<string, string> {
    const host = overrides.host ?? new URL(plugin.url).host;
    return {
      ...signWebhook({
        subscriberKey: overrides.key ?? plugin.flexcharge.subscriberKey!,
        host,
        body,
        date: overrides.date ?? clock.now(),
      }),
    };
  }

  const webhookBody = (orderId: string, event = 'order.completed', isResent = false) =>
    JSON.stringify({
      Event: event,
      TimeStamp: clock.now().toISOString(),
      EventData: null,
      ExternalOrderId: 'in_x',
      OrderId: orderId,
      ConfirmationId: '22ACD1D9',
      IsTestMode: true,
      IsResent: isResent,
    });

  it('refuses forged, stale and malformed FlexCharge webhooks with a 4xx and stores nothing', async () => {
    const before = (await inboxRows()).length;
    const body = webhookBody(randomUUID());
    const forged = signed(body, { key: Buffer.alloc(64, 1).toString('base64') });
    await request(plugin.url).post('/webhooks/flexcharge').set(forged).send(body).expect(400);
    const stale = signed(body, { date: new Date(clock.now().getTime() - 10 * 60_000) });
    await request(plugin.url).post('/webhooks/flexcharge').set(stale).send(body).expect(400);
    const otherHost = signed(body, { host: 'evil.example' });
    await request(plugin.url).post('/webhooks/flexcharge').set(otherHost).send(body).expect(400);
    const garbage = '{"Event":';
    await request(plugin.url).post('/webhooks/flexcharge').set(signed(garbage)).send(garbage).expect(400);
    await request(plugin.url).post('/webhooks/flexcharge').send(body).expect(400);
    assert.equal((await inboxRows()).length, before);
  });

  it('refuses a replayed signed request and keeps a re-sent event to one inbox row', async () => {
    const orderId = randomUUID();
    const body = webhookBody(orderId);
    const headers = signed(body);
    const first = await request(plugin.url)
      .post('/webhooks/flexcharge')
      .set(headers)
      .set('content-type', 'text/plain')
      .send(body)
      .expect(200);
    assert.equal(first.body.duplicate, false);
    await request(plugin.url)
      .post('/webhooks/flexcharge')
      .set(headers)
      .set('content-type', 'text/plain')
      .send(body)
      .expect(400);
    const resent = webhookBody(orderId, 'order.completed', true);
    const again = await request(plugin.url)
      .post('/webhooks/flexcharge')
      .set(signed(resent))
      .set('content-type', 'text/plain')
      .send(resent)
      .expect(200);
    assert.equal(again.body.duplicate, true);
    const rows = (await inboxRows()).filter((r) => (r.payload as { orderId: string }).orderId === orderId);
    assert.equal(rows.length, 1);
  });
});
