import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { DAY_MS, type E2E, startE2E } from './plugin-harness.js';

/** Times Stripe saw our hold applied to the invoice: `auto_advance` turned from true to false. */
function holdsApplied(e: E2E, invoiceId: string): number {
  return e.emulator.events.filter((r) => {
    if (r.type !== 'invoice.updated' || r.objectId !== invoiceId) return false;
    const data = r.event.data as { previous_attributes?: { auto_advance?: boolean } };
    return data.previous_attributes?.auto_advance === true;
  }).length;
}

/** Evaluates FlexCharge accepted for the invoice (the call log also keeps refused attempts). */
async function evaluatesTaken(e: E2E, invoiceId: string): Promise<number> {
  const rows = await e.database.db
    .selectFrom('flexcharge_mit.flexcharge_calls')
    .select(['request_body'])
    .where('operation', '=', 'evaluate')
    .where('outcome', '=', 'ok')
    .execute();
  return rows.filter((r) => (r.request_body as { orderId?: string }).orderId === invoiceId).length;
}

/** `n` subscribers whose renewals have just declined, the failures in the plugin's inbox. */
async function declinedRenewals(e: E2E, n: number): Promise<Stripe.Invoice[]> {
  const subscribers = [];
  for (let i = 0; i < n; i++) subscribers.push(await e.subscriber());
  for (const s of subscribers) await e.declineNextCharges(s.paymentMethod.id, 'insufficient_funds');
  e.clock.advance(31 * DAY_MS);
  await e.emulator.runDue();
  const invoices = [];
  for (const s of subscribers) {
    const invoice = (await e.stripe.invoices.list({ subscription: s.subscription.id, limit: 1 })).data[0]!;
    assert.equal(invoice.billing_reason, 'subscription_cycle');
    invoices.push(invoice);
  }
  return invoices;
}

describe('one merchant cannot starve another', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String((3 * DAY_MS) / 1000) });
  });
  afterEach(() => e.close());

  it("works the small merchant's rescue in the first claim although a large one has thirty older, failing ones", async () => {
    const [invoice] = await declinedRenewals(e, 1);
    // Merchant "big": thirty rescues due an hour before ours, of invoices its Stripe does not know.
    const now = e.clock.now();
    await createMerchantRepository(e.database.db, e.plugin.secrets).upsertMerchant(
      { id: 'big', name: 'Big' },
      now,
    );
    const rescues = createRescueRepository(e.database.db);
    for (let i = 0; i < 30; i++) {
      await rescues.createIfAbsent({
        merchantId: 'big',
        engine: 'stripe',
        invoiceId: `in_missing_${i}`,
        failedAt: new Date(now.getTime() - 3_600_000),
        now: new Date(now.getTime() - 3_600_000),
      });
    }
    const worker = e.anotherWorker('fair', { worker: { concurrency: 4, merchantConcurrency: 2 } });
    const pass = await worker.runOnce();
    assert.ok(pass.inbox >= 1, 'the failure became a rescue');
    assert.equal(pass.rescues, 3, "ours and two of big's: big has two slots of four");
    const ours = await e.rescueRow(invoice!.id);
    assert.equal(ours.state, 'held', ours.last_error ?? '');
    const big = await e.database.db
      .selectFrom('flexcharge_mit.rescues')
      .select(['state'])
      .where('merchant_id', '=', 'big')
      .execute();
    assert.equal(big.filter((r) => r.state === 'needs_attention').length, 2, "two of big's failed");
    assert.equal(big.filter((r) => r.state === 'received').length, 28, 'the rest wait their turn');
    assert.equal(await evaluatesTaken(e, invoice!.id), 1);
  });
});

describe('the running worker', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String((3 * DAY_MS) / 1000) });
  });
  afterEach(() => e.close());

  it('claims again as slots free up, works every rescue through once, and stops cleanly', async () => {
    const invoices = await declinedRenewals(e, 5);
    const worker = e.anotherWorker('running', { worker: { concurrency: 2, merchantConcurrency: 2 } });
    const deadline = Date.now() + 60_000;
    let states: string[] = [];
    worker.start(20);
    try {
      while (Date.now() < deadline) {
        const rows = await e.database.db
          .selectFrom('flexcharge_mit.rescues')
          .select('state')
          .where(
            'invoice_id',
            'in',
            invoices.map((inv) => inv.id),
          )
          .execute();
        states = rows.map((r) => r.state);
        if (states.length === 5 && states.every((s) => s === 'held')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await worker.stop();
    }
    assert.deepEqual(states, Array(5).fill('held'));
    for (const invoice of invoices) {
      assert.equal(await evaluatesTaken(e, invoice.id), 1, 'one evaluate');
      assert.equal(holdsApplied(e, invoice.id), 1, 'one hold');
    }
    const leased = await e.database.db
      .selectFrom('flexcharge_mit.rescues')
      .select('id')
      .where('locked_by', '=', 'running')
      .execute();
    assert.deepEqual(leased, [], 'nothing left leased after stop');
  });
});

describe('rate limits slow the plugin down and lose nothing', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(() => e.close());

  it("waits out Stripe's 429s: every rescue is held and recovered once, none counted as failing", async () => {
    const invoices = await declinedRenewals(e, 4);
    // Four requests a second on the merchant's Stripe account, Retry-After: 1 on the rest.
    e.emulator.setRateLimit({ requests_per_second: 4, retry_after: 1 });
    // A call still refused after its client's waits puts its rescue off for a while: time passes.
    for (let i = 0; i < 6; i++) {
      await e.settle();
      const states = await Promise.all(invoices.map(async (inv) => (await e.rescueRow(inv.id)).state));
      if (states.every((s) => s === 'held')) break;
      e.clock.advance(31_000);
    }
    assert.ok(e.emulator.rateLimited > 0, 'Stripe refused some of the calls');
    e.emulator.setRateLimit(null);
    for (const invoice of invoices) {
      const rescue = await e.rescueRow(invoice.id);
      assert.equal(rescue.state, 'held', rescue.last_error ?? '');
      assert.equal(rescue.attempts, 0);
      assert.equal(await evaluatesTaken(e, invoice.id), 1, 'one evaluate');
      assert.equal(holdsApplied(e, invoice.id), 1, 'one hold');
    }
    await e.advance(2 * 3_600_000);
    for (const invoice of invoices) {
      assert.equal((await e.rescueRow(invoice.id)).state, 'recovered');
      const paid = e.emulator.events.filter((r) => r.type === 'invoice.paid' && r.objectId === invoice.id);
      assert.equal(paid.length, 1, 'one write-back');
    }
  });

  it('puts a rescue off, without counting an attempt, when Stripe says not to retry its 429', async () => {
    const [invoice] = await declinedRenewals(e, 1);
    e.emulator.setRateLimit({ requests_per_second: 1, should_retry: false });
    await e.settle();
    e.emulator.setRateLimit(null);
    const deferred = await e.rescueRow(invoice!.id);
    assert.notEqual(deferred.state, 'needs_attention');
    assert.notEqual(deferred.state, 'held', 'the rate limit did stop it');
    assert.equal(deferred.attempts, 0, 'a 429 is not a failed attempt');
    assert.match(deferred.last_error ?? '', /rate limit/i);
    assert.ok(deferred.next_action_at && deferred.next_action_at > e.clock.now(), 'put off');
    e.clock.advance(31_000);
    await e.settle();
    const held = await e.rescueRow(invoice!.id);
    assert.equal(held.state, 'held', held.last_error ?? '');
    assert.equal(await evaluatesTaken(e, invoice!.id), 1, 'one evaluate');
    assert.equal(holdsApplied(e, invoice!.id), 1, 'one hold');
  });

  it('puts a rescue off when FlexCharge keeps answering 429, then evaluates it once', async () => {
    const [invoice] = await declinedRenewals(e, 1);
    // More 429s than the client retries in-call (FLEXCHARGE_MAX_RETRIES, 3).
    e.sandbox.injectFault({ path: '/v1/evaluate', status: 429, headers: { 'retry-after': '1' }, times: 4 });
    await e.settle();
    const deferred = await e.rescueRow(invoice!.id);
    assert.equal(deferred.state, 'evaluating', deferred.last_error ?? '');
    assert.equal(deferred.attempts, 0, 'a 429 is not a failed attempt');
    assert.equal(deferred.order_open, true, 'an evaluate may have reached FlexCharge: treated as open');
    e.clock.advance(2_000);
    await e.settle();
    const held = await e.rescueRow(invoice!.id);
    assert.equal(held.state, 'held', held.last_error ?? '');
    assert.equal(await evaluatesTaken(e, invoice!.id), 1, 'one evaluate');
    assert.equal(holdsApplied(e, invoice!.id), 1, 'one hold');
  });
});
