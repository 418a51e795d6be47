import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import Stripe from 'stripe';
import { DEMO_SUBSCRIBER_KEY } from '../../adapters/flexcharge/sandbox/index.js';
import { signWebhook } from '../../adapters/flexcharge/webhook-signature.js';
import { type PluginProcess, startPluginProcess } from './plugin-process.js';
import { canRunPrivatePostgres, type PrivatePostgres, startPrivatePostgres } from './private-postgres.js';

const WEBHOOK_SECRET = 'whsec_robustness';
const stripe = new Stripe('sk_test_robustness');

/** One webhook delivery as its sender makes it: the same request, re-sent until it gets a 2xx. */
interface Delivery {
  readonly source: 'stripe' | 'flexcharge';
  readonly eventId: string;
  readonly statuses: number[];
  send(): Promise<number>;
}

describe('a dropped or restarted database never takes the plugin down', {
  skip: canRunPrivatePostgres ? false : 'no PostgreSQL server binaries to run a private instance',
}, () => {
  let server: PrivatePostgres;
  let plugin: PluginProcess;
  const accepted = new Set<string>();

  before(async () => {
    server = await startPrivatePostgres();
    plugin = await startPluginProcess({
      DATABASE_URL: server.url,
      PORT: '0',
      FLEXCHARGE_ENV: 'local',
      WORKER_INTERVAL_MS: '100',
      // A configured Stripe account whose events below need no call to Stripe to be processed.
      STRIPE_SECRET_KEY: 'sk_test_robustness',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: 'http://127.0.0.1:9',
    });
  });
  after(async () => {
    await plugin?.stop();
    await server?.destroy();
  });

  function stripeDelivery(): Delivery {
    const eventId = `evt_${randomUUID().replaceAll('-', '')}`;
    const payload = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'invoice.voided',
      created: Math.floor(Date.now() / 1000),
      request: { id: null, idempotency_key: null },
      data: { object: { id: `in_${randomUUID().replaceAll('-', '')}`, object: 'invoice' } },
    });
    const statuses: number[] = [];
    return {
      source: 'stripe',
      eventId,
      statuses,
      async send() {
        const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
        const res = await fetch(`${plugin.url}/webhooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body: payload,
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        return res.status;
      },
    };
  }

  function flexchargeDelivery(): Delivery {
    const orderId = randomUUID();
    const body = JSON.stringify({
      Event: 'order.completed',
      TimeStamp: new Date().toISOString(),
      EventData: null,
      ExternalOrderId: `in_${orderId.slice(0, 8)}`,
      OrderId: orderId,
      ConfirmationId: '22ACD1D9',
      IsTestMode: true,
      IsResent: false,
    });
    // The same signed request each time: a delivery refused for an outage must not have used its nonce.
    const headers = signWebhook({
      subscriberKey: DEMO_SUBSCRIBER_KEY,
      host: new URL(plugin.url).host,
      body,
      date: new Date(),
    });
    const statuses: number[] = [];
    return {
      source: 'flexcharge',
      eventId: `${orderId}:order.completed`,
      statuses,
      async send() {
        const res = await fetch(`${plugin.url}/webhooks/flexcharge`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain' },
          body,
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        return res.status;
      },
    };
  }

  const burst = (n: number) =>
    Array.from({ length: n }, (_, i) => (i % 2 ? flexchargeDelivery() : stripeDelivery()));

  /** Re-sends until accepted, as Stripe and FlexCharge do (compressed from hours into moments). */
  async function deliverUntilAccepted(delivery: Delivery, attempts = 100): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      if ((await delivery.send()) === 200) {
        accepted.add(`${delivery.source}/${delivery.eventId}`);
        return;
      }
      await sleep(100);
    }
    assert.fail(`${delivery.eventId} never accepted: ${delivery.statuses.join(',')}`);
  }

  async function inboxRows(): Promise<{ key: string; processed: boolean }[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ source: string; event_id: string; processed: boolean }>(
        'select source, event_id, processed_at is not null as processed from flexcharge_mit.inbox_events',
      );
      return rows.map((r) => ({ key: `${r.source}/${r.event_id}`, processed: r.processed }));
    } finally {
      await client.end();
    }
  }

  const assertAlive = () => assert.equal(plugin.exitCode(), null, plugin.output.slice(-20).join('\n'));

  it('rides through terminated backends in the middle of a burst, and stores each event once', async () => {
    const deliveries = burst(60);
    const sending = Promise.all(deliveries.map((d) => deliverUntilAccepted(d)));
    for (let i = 0; i < 8; i++) {
      await server.terminateBackends('postgres', i % 2 ? 'idle' : undefined);
      await sleep(30);
    }
    await sending;
    // Idle connections the pool kept: the case that used to end the process.
    await sleep(200);
    await server.terminateBackends('postgres', 'idle');
    await sleep(300);
    assertAlive();

    const statuses = deliveries.flatMap((d) => d.statuses);
    assert.ok(
      statuses.every((s) => s === 200 || s === 503),
      `only 200 or 503: ${statuses.join(',')}`,
    );
    const rows = await inboxRows();
    for (const d of deliveries) {
      assert.equal(rows.filter((r) => r.key === `${d.source}/${d.eventId}`).length, 1, d.eventId);
    }
  });

  it('answers webhooks and /healthz with 503 while the server is down, so senders retry', async () => {
    await server.stop();
    try {
      const waiting = burst(6);
      for (const d of waiting) assert.equal(await d.send(), 503, `${d.source} while down`);
      const health = await fetch(`${plugin.url}/healthz`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { status: string }).status, 'database_unreachable');
      await sleep(300);
      assertAlive();

      await server.start();
      // The pool reconnects by itself; the senders' retries now go through.
      await Promise.all(waiting.map((d) => deliverUntilAccepted(d)));
    } finally {
      await server.start().catch(() => {});
    }
    assert.equal((await fetch(`${plugin.url}/healthz`)).status, 200);
  });

  it('processes every accepted event by itself once the database is back', async () => {
    // Leases and backoffs taken before the outage run out as the clock moves on.
    const moved = await fetch(new URL('/_sandbox/clock/advance', plugin.sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 3600 }),
    });
    assert.equal(moved.status, 200);
    let unprocessed: string[] = [];
    for (let i = 0; i < 100; i++) {
      const rows = await inboxRows();
      const processed = new Set(rows.filter((r) => r.processed).map((r) => r.key));
      unprocessed = [...accepted].filter((key) => !processed.has(key));
      if (unprocessed.length === 0) break;
      await sleep(200);
    }
    assert.deepEqual(unprocessed, []);
    assert.ok(accepted.size >= 66);
    assertAlive();
  });

  it('never exited, and still shuts down cleanly', async () => {
    assertAlive();
    assert.equal(await plugin.stop(), 0);
  });
});
