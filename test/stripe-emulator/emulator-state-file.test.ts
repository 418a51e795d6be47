import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeEmulator } from '../../adapters/stripe/emulator/create-stripe-emulator.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { justAfterPeriodEnd, setCardBehavior } from '../support/stripe-emulator-controls.js';
import { startWebhookReceiver, subscribe } from './support.js';

const START = '2026-01-15T12:00:00Z';

/** One emulator "process": its own clock (starting where a fresh process's would), its own port. */
async function startEmulator(stateFile: string) {
  const clock = new ManualClock(START);
  const emulator = createStripeEmulator({ clock, stateFile });
  const server = await emulator.listen(0);
  const stripe = new Stripe(emulator.apiKey, {
    host: '127.0.0.1',
    port: server.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return { clock, emulator, server, stripe };
}

describe('the Stripe emulator state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('brings back invoices, charges, idempotency keys, owed webhooks, retries and the clock after a restart', async () => {
    const stateFile = join(dir, 'stripe-emulator.json');
    const down = await startWebhookReceiver(() => 500);
    const first = await startEmulator(stateFile);
    const endpoint = await first.stripe.webhookEndpoints.create({
      url: down.url,
      enabled_events: ['invoice.payment_failed'],
    });
    const { customer, paymentMethod, subscription } = await subscribe(first.stripe);
    await setCardBehavior(first.server.url, paymentMethod.id, 'insufficient_funds');
    first.clock.set(await justAfterPeriodEnd(first.stripe, subscription.id));
    await first.emulator.runDue();
    const [renewal] = (await first.stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
    assert.equal(renewal?.status, 'open');
    assert.ok(down.received.length >= 1, 'the failure was sent (and refused by the receiver)');
    const keyed = await first.stripe.customers.create(
      { email: 'keyed@example.com' },
      { idempotencyKey: 'k-1' },
    );
    const clockAtStop = first.clock.now().getTime();
    await first.emulator.close();
    await down.close();

    // The file is JSON, names its version, and holds no card number.
    const text = readFileSync(stateFile, 'utf8');
    assert.equal(JSON.parse(text).version, 1);
    assert.doesNotMatch(text, /4242424242424242/);

    const second = await startEmulator(stateFile);
    try {
      assert.ok(second.clock.now().getTime() >= clockAtStop, 'the clock goes on from where it stopped');
      const invoice = await second.stripe.invoices.retrieve(renewal?.id as string);
      assert.equal(invoice.status, 'open');
      assert.equal(invoice.attempt_count, 1);
      assert.equal((await second.stripe.customers.retrieve(customer.id)).id, customer.id);
      // An idempotency key replays its first response, and nothing is created twice.
      const replay = await second.stripe.customers.create(
        { email: 'keyed@example.com' },
        { idempotencyKey: 'k-1' },
      );
      assert.equal(replay.id, keyed.id);
      // The endpoint keeps its secret; the deliveries still owed reach it at its new address.
      assert.ok(second.emulator.webhookEndpointSecret(endpoint.id)?.startsWith('whsec_'));
      const up = await startWebhookReceiver();
      try {
        await second.stripe.webhookEndpoints.update(endpoint.id, { url: up.url });
        second.clock.advance(DAY_MS);
        await second.emulator.runDue();
        const resent = up.received.map((r) => JSON.parse(r.body).id as string);
        const refused = down.received.map((r) => JSON.parse(r.body).id as string);
        assert.ok(
          refused.every((id) => resent.includes(id)),
          'every refused event is sent again',
        );
        // Stripe's retry schedule goes on: the next attempt (3 days after the failure) is made.
        second.clock.advance(3 * DAY_MS);
        await second.emulator.runDue();
        const retried = await second.stripe.invoices.retrieve(invoice.id as string);
        assert.equal(retried.attempt_count, 2);
      } finally {
        await up.close();
      }
    } finally {
      await second.emulator.close();
    }
  });

  it('refuses a state file of another version, naming the file', () => {
    const stateFile = join(dir, 'old.json');
    writeFileSync(
      stateFile,
      JSON.stringify({ service: 'stripe-emulator', version: 0, clockAt: 0, state: {} }),
    );
    assert.throws(
      () => createStripeEmulator({ clock: new ManualClock(START), stateFile }),
      (error: Error) => error.message.includes(stateFile) && /version 0/.test(error.message),
    );
  });
});
