import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type Harness, startHarness, startWebhookReceiver } from './support.js';

async function bulk(h: Harness, body: unknown) {
  const response = await fetch(`${h.server.url}/_emulator/bulk/failed_renewals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function monthlyPrice(stripe: Stripe) {
  return stripe.prices.create({
    currency: 'eur',
    unit_amount: 2900,
    recurring: { interval: 'month' },
    product_data: { name: 'Pro plan' },
  });
}

describe('Stripe emulator: benchmark aids', () => {
  it('creates renewals that declined just now, as a month of subscription would have left them', async () => {
    const h = await startHarness();
    const receiver = await startWebhookReceiver();
    try {
      const price = await monthlyPrice(h.stripe);
      await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
      const created = await bulk(h, {
        count: 3,
        price: price.id,
        decline_code: 'insufficient_funds',
        payment_method_metadata: { flexcharge_token: 'tok-123' },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.subscriptions, 3);
      const invoiceIds = created.body.invoices as string[];
      assert.equal(invoiceIds.length, 3);

      for (const id of invoiceIds) {
        const invoice = await h.stripe.invoices.retrieve(id);
        assert.equal(invoice.billing_reason, 'subscription_cycle');
        assert.equal(invoice.status, 'open');
        assert.equal(invoice.attempt_count, 1);
        assert.equal(invoice.created, Math.floor(h.clock.now().getTime() / 1000));
        assert.ok(invoice.next_payment_attempt, 'Stripe scheduled its retry');
        const subscriptionId = invoice.parent?.subscription_details?.subscription as string;
        const subscription = await h.stripe.subscriptions.retrieve(subscriptionId);
        assert.equal(subscription.status, 'past_due');
        const card = await h.stripe.paymentMethods.retrieve(subscription.default_payment_method as string);
        assert.equal(card.metadata?.flexcharge_token, 'tok-123');
        // The first invoice, a month ago, was paid on-session.
        const all = (await h.stripe.invoices.list({ subscription: subscriptionId })).data;
        const first = all.find((i) => i.billing_reason === 'subscription_create');
        assert.equal(first?.status, 'paid');
      }

      // Only today's events are delivered: the sign-up month's predate the endpoint.
      await h.emulator.runDue();
      const types = receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
      assert.equal(types.filter((t) => t === 'invoice.payment_failed').length, 3);
      assert.equal(types.filter((t) => t === 'customer.created').length, 0);
      assert.equal(types.filter((t) => t === 'invoice.paid').length, 0);
    } finally {
      await receiver.close();
      await h.close();
    }
  });

  it('refuses what it cannot build', async () => {
    const h = await startHarness();
    try {
      const price = await monthlyPrice(h.stripe);
      assert.equal((await bulk(h, { count: 0, price: price.id })).status, 400);
      assert.equal((await bulk(h, { count: 1, price: 'price_nope' })).status, 404);
      assert.equal((await bulk(h, { count: 1, price: price.id, decline_code: 'sunspots' })).status, 400);
      const yearly = await h.stripe.prices.create({
        currency: 'eur',
        unit_amount: 29000,
        recurring: { interval: 'year' },
        product_data: { name: 'Yearly' },
      });
      assert.equal((await bulk(h, { count: 1, price: yearly.id })).status, 400);
    } finally {
      await h.close();
    }
  });

  it('delivers several webhooks at once when webhookConcurrency allows, each exactly once', async () => {
    let open = 0;
    let mostOpen = 0;
    const receiver = await startWebhookReceiver();
    const slowFetch: typeof fetch = async (input, init) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      await new Promise((r) => setTimeout(r, 20));
      try {
        return await fetch(input, init);
      } finally {
        open--;
      }
    };
    const slow = await startHarness({ webhookConcurrency: 4, fetchImpl: slowFetch });
    try {
      await slow.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      for (let i = 0; i < 10; i++) await slow.stripe.customers.create({ email: `c${i}@example.com` });
      await slow.emulator.deliverPendingWebhooks();
      assert.equal(receiver.received.length, 10);
      assert.equal(new Set(receiver.received.map((r) => JSON.parse(r.body).id)).size, 10);
      assert.equal(mostOpen, 4);
    } finally {
      await receiver.close();
      await slow.close();
    }
  });

  it('holds webhook deliveries back while paused and sends them once resumed', async () => {
    const h = await startHarness();
    const receiver = await startWebhookReceiver();
    const control = (what: string) =>
      fetch(`${h.server.url}/_emulator/webhooks/${what}`, { method: 'POST' }).then((r) => r.status);
    try {
      await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      assert.equal(await control('pause'), 200);
      await h.stripe.customers.create({ email: 'waits@example.com' });
      await h.emulator.runDue();
      assert.equal(receiver.received.length, 0);
      assert.equal(await control('resume'), 200);
      await h.emulator.runDue();
      assert.equal(receiver.received.length, 1);
    } finally {
      await receiver.close();
      await h.close();
    }
  });

  it('answers every API request latencyMs late', async () => {
    const h = await startHarness({ latencyMs: 120 });
    try {
      const started = performance.now();
      await h.stripe.customers.create({ email: 'late@example.com' });
      assert.ok(performance.now() - started >= 115, 'the answer waited');
    } finally {
      await h.close();
    }
  });
});
