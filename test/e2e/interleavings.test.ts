import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderForUse } from '../../plugin/core/merchant-runtime.js';
import { DEFAULT_MERCHANT_ID } from '../../plugin/runtime/start-plugin.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { DAY_MS, type E2E, HOUR_MS, startE2E } from './plugin-harness.js';

const LEASE_MS = 120_000;

/** Another instance's worker, with a lease short enough to outrun and renewed every 20 ms. */
function otherWorker(e: E2E, workerId: string, provider: ProviderForUse) {
  return e.anotherWorker(workerId, { provider, worker: { leaseMs: LEASE_MS, leaseRenewMs: 20 } });
}

describe('money safety under interleavings', () => {
  // A plugin of its own per case: injected faults and stray due rows must not leak between cases.
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String((3 * DAY_MS) / 1000) });
  });
  afterEach(() => e.close());

  it('runs a step slower than its lease once: the lease is renewed, a second worker cannot take the row', async () => {
    const { invoice } = await e.declinedRenewal();
    const real = await e.defaultProvider();
    let intruder: ReturnType<typeof otherWorker> | undefined;
    // Worker A's /evaluate takes longer than the lease; meanwhile worker B looks for due work.
    const slow: ProviderForUse = Object.assign(Object.create(real), {
      acceptsAmount: real.acceptsAmount.bind(real),
      async submitRenewal(input: Parameters<typeof real.submitRenewal>[0]) {
        e.clock.advance(LEASE_MS + 30_000);
        await sleep(150);
        await intruder!.runOnce();
        return real.submitRenewal(input);
      },
    });
    const a = otherWorker(e, 'worker-a', slow);
    intruder = otherWorker(e, 'worker-b', real);
    await a.drain(3);
    const rescue = await e.rescueRow(invoice.id);
    assert.equal(rescue.state, 'held', rescue.last_error ?? '');
    assert.ok(rescue.flexcharge_order_id);
    const evaluations = (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id);
    assert.equal(evaluations.length, 1, 'one evaluate, by the lease holder');
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).auto_advance, false);
  });

  it('stops a step whose lease another worker took, before its next outside call, and records nothing', async () => {
    const { invoice } = await e.declinedRenewal();
    const real = await e.defaultProvider();
    const stealing: ProviderForUse = Object.assign(Object.create(real), {
      acceptsAmount(amount: number, currency: string) {
        return real.acceptsAmount(amount, currency);
      },
      async submitRenewal(): Promise<never> {
        throw new Error('a worker without the lease must not evaluate');
      },
    });
    const a = otherWorker(e, 'worker-a2', stealing);
    // The inbox event becomes a rescue; it is prepared and held, one step per claim, so it stops
    // before the evaluate (the plugin's own worker would go on to it in the same claim).
    await e.anotherWorker('worker-prep', { worker: { stepsPerClaim: 1 } }).drain(1);
    const held = await e.rescueRow(invoice.id);
    assert.equal(held.state, 'evaluating');
    // Worker A claims the row; then, as if A had stalled past its lease, worker C claims it.
    const claimed = await createRescueRepository(e.database.db).claim(
      'worker-a2',
      e.clock.now(),
      1,
      LEASE_MS,
    );
    assert.equal(claimed.length, 1);
    await e.database.db
      .updateTable('flexcharge_mit.rescues')
      .set({ locked_by: 'worker-c' })
      .where('id', '=', held.id)
      .execute();
    const outcome = await createRescueRepository(e.database.db).renewLease(
      held.id,
      'worker-a2',
      e.clock.now(),
    );
    assert.equal(outcome, false, 'the lease is no longer A’s');
    await assert.doesNotReject(a.runOnce());
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.state, 'evaluating', 'nothing recorded by the worker that lost the lease');
    assert.equal((await e.evaluateBodies()).filter((b) => b.orderId === invoice.id).length, 0);
    await e.database.db
      .updateTable('flexcharge_mit.rescues')
      .set({ locked_by: null, locked_until: null })
      .where('id', '=', held.id)
      .execute();
    await e.settle();
    const resumed = await e.rescueRow(invoice.id);
    assert.equal(resumed.state, 'held', resumed.last_error ?? '');
  });

  it('looks again at once when a webhook arrives during a step', async () => {
    const { invoice, customer } = await e.declinedRenewal();
    await e.settle();
    const held = await e.rescueRow(invoice.id);
    assert.equal(held.state, 'held');
    const real = await e.defaultProvider();
    // While worker D polls the order, the customer pays and Stripe's webhook wakes the rescue.
    const waking: ProviderForUse = Object.assign(Object.create(real), {
      acceptsAmount: real.acceptsAmount.bind(real),
      async outcome(orderId: string) {
        const answer = await real.outcome(orderId);
        await createRescueRepository(e.database.db).wake(
          { merchantId: DEFAULT_MERCHANT_ID, invoiceId: invoice.id },
          e.clock.now(),
        );
        return answer;
      },
    });
    e.clock.advance(7 * HOUR_MS);
    await otherWorker(e, 'worker-d', waking).runOnce();
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.state, 'held');
    assert.ok(
      after.next_action_at && after.next_action_at <= e.clock.now(),
      'due again now, not at the next poll',
    );
    const card = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: card.id });
    await e.settle();
    assert.equal((await e.rescueRow(invoice.id)).state, 'cancelled');
  });

  it('treats an evaluate answer it does not know as a live order, not a decline', async () => {
    const { invoice } = await e.declinedRenewal();
    const orderSessionKey = '5d5f3c7e-0c1a-4a2b-9a57-8f7c2b1d0e11';
    e.sandbox.injectFault({
      path: '/v1/evaluate',
      status: 200,
      body: { orderSessionKey, orderId: orderSessionKey, success: true, status: 'CHALLENGE' },
    });
    await e.settle();
    const rescue = await e.rescueRow(invoice.id);
    assert.equal(rescue.state, 'held', 'followed like a submitted order');
    assert.equal(rescue.flexcharge_status, 'CHALLENGE');
    assert.equal(rescue.order_open, true);
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).auto_advance, false, 'still held');
  });

  it('never rescues a renewal whose subscription was cancelled before the rescue knew it', async () => {
    const { invoice, subscription } = await e.declinedRenewal();
    // customer.subscription.deleted is received before the failure is worked: it matches no rescue yet.
    await e.stripe.subscriptions.cancel(subscription.id);
    await e.settle();
    const rescue = await e.rescueRow(invoice.id);
    assert.equal(rescue.state, 'ineligible');
    assert.equal(rescue.ineligible_reason, 'subscription_not_active');
    assert.equal((await e.evaluateBodies()).filter((b) => b.orderId === invoice.id).length, 0);
  });

  it('gives the hold back when FlexCharge refuses the hand-over, and ends declined', async () => {
    const { invoice } = await e.declinedRenewal();
    e.sandbox.injectFault({
      path: '/v1/evaluate',
      status: 200,
      body: { orderSessionKey: null, orderId: null, success: true, status: 'DECLINED' },
    });
    await e.settle();
    const rescue = await e.rescueRow(invoice.id);
    assert.equal(rescue.state, 'declined');
    assert.equal(rescue.hold_active, false);
    assert.equal(rescue.order_open, false);
    const released = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(released.status, 'open');
    assert.equal(released.auto_advance, true, 'Stripe’s dunning has the invoice again');
    const history = await e.rescueFor(invoice.id);
    assert.deepEqual(
      history?.history.map((h) => h.to_state),
      ['received', 'evaluating', 'releasing', 'declined'],
      'held first, then handed over, then given back',
    );
  });

  it('gives the hold back at once when FlexCharge refuses the request as invalid, and waits for a person', async () => {
    const { invoice } = await e.declinedRenewal();
    e.sandbox.injectFault({ path: '/v1/evaluate', status: 400 });
    await e.settle();
    const rescue = await e.rescueRow(invoice.id);
    assert.equal(rescue.state, 'needs_attention');
    assert.match(rescue.last_error ?? '', /400|refused/);
    assert.equal(rescue.order_open, false, 'an invalid request created no order');
    assert.equal(rescue.hold_active, false);
    assert.equal(
      (await e.stripe.invoices.retrieve(invoice.id)).auto_advance,
      true,
      'Stripe’s dunning resumes',
    );
  });
});
