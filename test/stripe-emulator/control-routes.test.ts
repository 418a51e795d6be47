import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { startStripeEmulator } from '../../adapters/stripe/emulator/start-stripe-emulator.js';
import { type Harness, invoicesOf, startHarness, subscribe } from './support.js';

async function post(h: Harness, path: string, body: unknown) {
  const response = await fetch(`${h.server.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Stripe emulator: control routes', () => {
  it('advances the clock and runs what became due, so a renewal happens', async () => {
    const h = await startHarness();
    try {
      const { subscription, paymentMethod } = await subscribe(h.stripe);
      assert.equal(
        (
          await post(h, `payment_methods/${paymentMethod.id}/behavior`, {
            decline_code: 'insufficient_funds',
          })
        ).status,
        200,
      );
      const advanced = await post(h, 'clock/advance', { seconds: 31 * 86_400 });
      assert.equal(advanced.status, 200);
      assert.equal(advanced.body.now, '2026-02-15T12:00:00.000Z');
      const [renewal] = await invoicesOf(h.stripe, subscription.id);
      assert.equal(renewal?.billing_reason, 'subscription_cycle');
      assert.equal(renewal?.attempt_count, 1);

      const state = (await (await fetch(`${h.server.url}/_emulator/state`)).json()) as {
        subscriptions: Array<{ status: string }>;
        invoices: unknown[];
      };
      assert.equal(state.subscriptions[0]?.status, 'past_due');
      assert.equal(state.invoices.length, 2);
      assert.equal((await post(h, 'run_due', {})).status, 200);
    } finally {
      await h.close();
    }
  });

  it('rejects unknown decline codes and unknown payment methods in behaviour overrides', async () => {
    const h = await startHarness();
    try {
      const pm = await h.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
      const unknownCode = await post(h, `payment_methods/${pm.id}/behavior`, { decline_code: 'sunspots' });
      assert.equal(unknownCode.status, 400);
      assert.match(String((unknownCode.body.error as { message: string }).message), /insufficient_funds/);
      assert.equal((await post(h, 'payment_methods/pm_nope/behavior', { decline_code: null })).status, 404);
      const cards = (await (await fetch(`${h.server.url}/_emulator/test_cards`)).json()) as Array<{
        payment_method: string;
      }>;
      assert.ok(cards.some((c) => c.payment_method === 'pm_card_visa_chargeDeclinedInsufficientFunds'));
    } finally {
      await h.close();
    }
  });

  it('fails the next matching requests like a Stripe outage, changing nothing, then serves them again', async () => {
    const h = await startHarness();
    try {
      const customer = await h.stripe.customers.create({ email: 'a@example.com' });
      const armed = await post(h, 'faults', {
        method: 'POST',
        path: '/v1/customers/*',
        status: 500,
        times: 2,
      });
      assert.equal(armed.status, 200);
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          h.stripe.customers.update(customer.id, { email: 'b@example.com' }),
          Stripe.errors.StripeAPIError,
        );
      }
      assert.equal(
        ((await h.stripe.customers.retrieve(customer.id, {})) as Stripe.Customer).email,
        'a@example.com',
        'reads pass',
      );
      await h.stripe.customers.update(customer.id, { email: 'b@example.com' });
      assert.equal(
        ((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).email,
        'b@example.com',
      );
      assert.equal((await post(h, 'faults', { path: '/nope' })).status, 400);
    } finally {
      await h.close();
    }
  });

  it('starts a standalone emulator that announces its URL and API key', async () => {
    const lines: string[] = [];
    const running = await startStripeEmulator({
      port: 0,
      releaseRetry: 'final_action',
      log: (line) => lines.push(line),
    });
    try {
      assert.match(lines[0] ?? '', new RegExp(`listening on ${running.url.replaceAll('.', '\\.')}`));
      assert.ok(lines.some((line) => line.includes('sk_test_emulator')));
      assert.ok(lines.some((line) => line.includes('After a hold is released: final_action')));
      const stripe = new Stripe(running.apiKey, {
        host: '127.0.0.1',
        port: running.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const customer = await stripe.customers.create({ email: 'demo@example.com' });
      assert.match(customer.id, /^cus_/);
      const before = Date.now();
      const advanced = await fetch(`${running.url}/_emulator/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'seconds=86400',
      });
      const { now } = (await advanced.json()) as { now: string };
      assert.ok(Date.parse(now) >= before + 86_400_000, 'the offset clock moved a day ahead');
    } finally {
      await running.close();
    }
  });
});
