import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { endpointOf } from '../../adapters/stripe/observed-http-client.js';
import { ADMIN_TOKEN, DAY_MS, type E2E, HOUR_MS, startE2E } from '../e2e/plugin-harness.js';
import { flexchargeBody, stripeEvent } from './http-harness.js';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

/** One scrape, read into `name{labels}` samples; `value` sums those whose labels include `labels`. */
function parse(text: string) {
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(m, `not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
  return {
    value(name: string, labels: Record<string, string> = {}): number {
      return samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    },
    has: (name: string) => samples.some((s) => s.name === name),
  };
}

describe('GET /metrics: Prometheus series that move with the traffic', () => {
  let e: E2E;
  // FlexCharge decides after three days, so a held rescue can be parked before it is decided.
  before(async () => {
    e = await startE2E({ METRICS_TOKEN, SANDBOX_DECISION_DELAY_SECONDS: String((3 * DAY_MS) / 1000) });
  });
  after(() => e.close());

  const scrape = async () => {
    const res = await request(e.plugin.url).get('/metrics').auth(METRICS_TOKEN, { type: 'bearer' });
    assert.equal(res.status, 200, res.text);
    return parse(res.text);
  };

  it('is open to the scraper token and the partner, to no merchant key and no one else', async () => {
    const get = (token?: string) => {
      const req = request(e.plugin.url).get('/metrics');
      return token ? req.auth(token, { type: 'bearer' }) : req;
    };
    const key = await request(e.plugin.url)
      .post('/admin/merchants/default/api-keys')
      .auth(ADMIN_TOKEN, { type: 'bearer' })
      .send({ name: 'checkout' })
      .expect(201);
    assert.equal((await get()).status, 401);
    assert.equal((await get(`${METRICS_TOKEN}x`)).status, 401);
    assert.equal((await get(key.body.key)).status, 403, 'the series name every merchant');
    for (const token of [METRICS_TOKEN, ADMIN_TOKEN]) {
      const res = await get(token);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.ok(parse(res.text).has('process_cpu_user_seconds_total'), 'process metrics too');
    }
  });

  it('counts webhooks received and refused per source and reason, with their intake time', async () => {
    const before = await scrape();
    const event = stripeEvent('customer.created', { id: 'cus_metrics', object: 'customer' });
    await e.postStripeEvent(event).expect(200);
    await e.postStripeEvent(event).expect(200);
    await request(e.plugin.url)
      .post('/webhooks/stripe')
      .set('stripe-signature', 't=1,v1=00')
      .set('content-type', 'application/json')
      .send(JSON.stringify(event))
      .expect(400);
    await request(e.plugin.url)
      .post('/webhooks/flexcharge')
      .set('content-type', 'text/plain')
      .send(flexchargeBody({ EventType: 'order.completed' }))
      .expect(400);
    await request(e.plugin.url).post('/webhooks/stripe/nobody').send('{}').expect(404);

    const now = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      now.value(name, labels) - before.value(name, labels);
    assert.equal(moved('flexcharge_mit_webhooks_received_total', { source: 'stripe', outcome: 'stored' }), 1);
    assert.equal(
      moved('flexcharge_mit_webhooks_received_total', { source: 'stripe', outcome: 'duplicate' }),
      1,
    );
    assert.equal(
      moved('flexcharge_mit_webhooks_refused_total', { source: 'stripe', reason: 'signature_invalid' }),
      1,
    );
    assert.equal(
      moved('flexcharge_mit_webhooks_refused_total', { source: 'flexcharge', reason: 'signature_invalid' }),
      1,
    );
    assert.equal(
      moved('flexcharge_mit_webhooks_refused_total', { source: 'stripe', reason: 'not_found' }),
      1,
    );
    assert.equal(moved('flexcharge_mit_webhook_intake_seconds_count', { source: 'stripe' }), 4);
    assert.equal(moved('flexcharge_mit_webhook_intake_seconds_count', { source: 'flexcharge' }), 1);
  });

  it('shows work waiting and its age, outside calls per endpoint, rescues per state and the recovered amount', async () => {
    const before = await scrape();
    const { invoice, subscription } = await e.declinedRenewal();
    // The failure is in the inbox, not yet worked: one more waits, and waits longer as time passes.
    e.clock.advance(90_000);
    const waiting = await scrape();
    assert.ok(waiting.value('flexcharge_mit_queue_waiting', { queue: 'inbox' }) >= 1);
    assert.ok(waiting.value('flexcharge_mit_queue_oldest_age_seconds', { queue: 'inbox' }) >= 90);
    assert.ok(
      waiting.value('flexcharge_mit_webhooks_received_total', { source: 'stripe' }) >
        before.value('flexcharge_mit_webhooks_received_total', { source: 'stripe' }),
    );

    // Stripe fails the first read of the invoice once; the SDK retries it.
    e.emulator.injectFault({ method: 'GET', path: `/v1/invoices/${invoice.id}`, status: 500, times: 1 });
    await e.settle();
    assert.equal((await e.rescueRow(invoice.id)).state, 'held');
    const held = await scrape();
    assert.equal(held.value('flexcharge_mit_queue_waiting', { queue: 'inbox' }), 0);
    assert.equal(held.value('flexcharge_mit_queue_oldest_age_seconds', { queue: 'inbox' }), 0);
    assert.equal(held.value('flexcharge_mit_rescues', { merchant: 'default', state: 'held' }), 1);
    assert.ok(
      held.value('flexcharge_mit_flexcharge_request_seconds_count', {
        operation: 'evaluate',
        outcome: 'ok',
      }) >= 1,
    );
    const invoiceRead = { method: 'GET', endpoint: '/v1/invoices/{id}' };
    assert.ok(
      held.value('flexcharge_mit_stripe_request_seconds_count', invoiceRead) >
        before.value('flexcharge_mit_stripe_request_seconds_count', invoiceRead),
    );
    assert.equal(
      held.value('flexcharge_mit_stripe_request_errors_total', { ...invoiceRead, status: '500' }) -
        before.value('flexcharge_mit_stripe_request_errors_total', { ...invoiceRead, status: '500' }),
      1,
    );

    // FlexCharge approves; the payment is written back.
    await e.advance(3.1 * DAY_MS);
    const row = await e.rescueRow(invoice.id);
    assert.equal(row.state, 'recovered');
    const recovered = await scrape();
    assert.equal(recovered.value('flexcharge_mit_rescues', { merchant: 'default', state: 'held' }), 0);
    assert.equal(recovered.value('flexcharge_mit_rescues', { merchant: 'default', state: 'recovered' }), 1);
    assert.equal(
      recovered.value('flexcharge_mit_recovered_amount_minor', { currency: row.currency!.trim() }),
      Number(row.collected_amount ?? row.amount),
    );
    assert.ok(
      recovered.value('flexcharge_mit_stripe_request_seconds_count', {
        method: 'POST',
        endpoint: '/v1/invoices/{id}/pay',
      }) +
        recovered.value('flexcharge_mit_stripe_request_seconds_count', {
          method: 'POST',
          endpoint: '/v1/invoices/{id}/attach_payment',
        }) >=
        1,
      'the write-back is timed',
    );
    // Nothing more of this subscriber: its next renewal would be a rescue of its own.
    await e.stripe.subscriptions.cancel(subscription.id);
    await e.settle();
  });

  it("shows a parked rescue's live obligations, and FlexCharge's errors per operation", async () => {
    const { invoice } = await e.declinedRenewal();
    await e.settle();
    const held = await e.rescueRow(invoice.id);
    e.sandbox.injectFault({ path: `/v1/orders/${held.flexcharge_order_id}`, status: 403, times: 1 });
    e.sandbox.injectFault({ path: '/v1/outcome', status: 403, times: 1 });
    e.clock.advance(7 * HOUR_MS);
    await e.plugin.worker.drain(1);
    assert.equal((await e.rescueRow(invoice.id)).state, 'needs_attention');

    const parked = await scrape();
    assert.equal(
      parked.value('flexcharge_mit_rescues', { merchant: 'default', state: 'needs_attention' }),
      1,
    );
    assert.equal(
      parked.value('flexcharge_mit_parked_obligations', { merchant: 'default', obligation: 'hold_active' }),
      1,
    );
    assert.equal(
      parked.value('flexcharge_mit_parked_obligations', { merchant: 'default', obligation: 'order_open' }),
      1,
    );
    assert.ok(
      parked.value('flexcharge_mit_flexcharge_request_errors_total', {
        outcome: 'http_error',
        status: '403',
      }) >= 1,
    );
    assert.equal(parked.value('flexcharge_mit_metrics_database_up'), 1);
  });
});

describe('Stripe endpoints as metric labels', () => {
  it('replaces ids and drops the query, keeping resource names and verbs', () => {
    assert.equal(endpointOf('/v1/invoices/in_1Abc/pay?expand[]=x'), '/v1/invoices/{id}/pay');
    assert.equal(
      endpointOf('/v1/customers/cus_1/payment_methods/pm_2'),
      '/v1/customers/{id}/payment_methods/{id}',
    );
    assert.equal(endpointOf('/v1/invoices/search?query=x'), '/v1/invoices/search');
    assert.equal(endpointOf('/v1/setup_attempts'), '/v1/setup_attempts');
  });
});
