import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  DAY_MS,
  type Harness,
  invoicesOf,
  passPeriodEnd,
  setCardBehavior,
  startHarness,
  subscribe,
} from './support.js';

const DAY = DAY_MS / 1000;

describe('Stripe emulator: renewals and retries', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ retrySchedule: [3, 5, 7, 14] });
  });
  afterEach(() => h.close());

  async function failedRenewal(declineCode = 'insufficient_funds') {
    const subscriber = await subscribe(h.stripe);
    await setCardBehavior(h, subscriber.paymentMethod.id, declineCode);
    await passPeriodEnd(h, subscriber.subscription.id);
    const [renewal] = await invoicesOf(h.stripe, subscriber.subscription.id);
    assert.ok(renewal);
    return { ...subscriber, renewal };
  }

  it('declines a renewal after the period end with insufficient_funds and emits invoice.payment_failed from Stripe itself', async () => {
    const { renewal, subscription } = await failedRenewal();
    assert.equal(renewal.billing_reason, 'subscription_cycle');
    assert.equal(renewal.collection_method, 'charge_automatically');
    assert.equal(renewal.status, 'open');
    assert.equal(renewal.attempt_count, 1);
    assert.equal(renewal.attempted, true);
    assert.equal(renewal.auto_advance, true);
    const periodEnd = subscription.items.data[0]?.current_period_end ?? 0;
    assert.equal(renewal.next_payment_attempt, periodEnd + 3 * DAY);

    const failed = h.emulator.events.find(
      (e) => e.type === 'invoice.payment_failed' && e.objectId === renewal.id,
    );
    assert.ok(failed);
    assert.deepEqual(failed.event.request, { id: null, idempotency_key: null });
    assert.equal(failed.event.api_version, '2026-10-28.endive');
    const object = failed.event.data.object as { attempt_count: number; billing_reason: string };
    assert.equal(object.attempt_count, 1);
    assert.equal(object.billing_reason, 'subscription_cycle');

    const types = h.emulator.events.filter((e) => e.created >= periodEnd).map((e) => e.type);
    for (const type of [
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.updated',
      'customer.subscription.updated',
    ]) {
      assert.ok(types.includes(type), type);
    }
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');

    const payments = await h.stripe.invoicePayments.list({ invoice: renewal.id });
    const pi = await h.stripe.paymentIntents.retrieve(payments.data[0]?.payment.payment_intent as string);
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal(pi.last_payment_error?.type, 'card_error');
    assert.equal(pi.last_payment_error?.code, 'card_declined');
    assert.equal(pi.last_payment_error?.decline_code, 'insufficient_funds');
    assert.equal(pi.last_payment_error?.advice_code, 'try_again_later');
    assert.equal(pi.last_payment_error?.network_decline_code, '51');
    const charge = await h.stripe.charges.retrieve(pi.last_payment_error?.charge as string);
    assert.equal(charge.status, 'failed');
    assert.equal(charge.failure_code, 'card_declined');
    assert.equal(charge.failure_message, 'Your card has insufficient funds.');
    assert.equal(charge.outcome?.type, 'issuer_declined');
    assert.equal(charge.payment_method_details?.card?.network_transaction_id, null);
  });

  it('retries at the scheduled times while auto_advance is true and cancels the subscription after the last retry', async () => {
    const { renewal, subscription } = await failedRenewal();
    const firstFailure = (renewal.next_payment_attempt ?? 0) - 3 * DAY;
    for (const [day, attempts] of [
      [3, 2],
      [5, 3],
      [7, 4],
    ] as const) {
      h.clock.set((firstFailure + day * DAY) * 1000);
      await h.emulator.runDue();
      const invoice = await h.stripe.invoices.retrieve(renewal.id);
      assert.equal(invoice.attempt_count, attempts, `day ${day}`);
    }
    h.clock.set((firstFailure + 14 * DAY) * 1000);
    await h.emulator.runDue();
    const last = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(last.attempt_count, 5);
    assert.equal(last.next_payment_attempt, null);
    assert.equal(last.status, 'open');
    const sub = await h.stripe.subscriptions.retrieve(subscription.id);
    assert.equal(sub.status, 'canceled');
    assert.equal(sub.cancellation_details?.reason, 'payment_failed');
    const failures = h.emulator.events.filter(
      (e) => e.type === 'invoice.payment_failed' && e.objectId === renewal.id,
    );
    assert.equal(failures.length, 5);
    assert.ok(failures.every((e) => e.requestId === null));
  });

  it('does not retry while auto_advance is false, and re-enabling it schedules the next retry', async () => {
    const { renewal } = await failedRenewal();
    const held = await h.stripe.invoices.update(renewal.id, {
      auto_advance: false,
      metadata: { flexcharge_status: 'held' },
    });
    assert.equal(held.auto_advance, false);
    assert.equal(held.next_payment_attempt, null);
    assert.equal(held.metadata?.flexcharge_status, 'held');

    h.clock.advance(20 * DAY_MS);
    await h.emulator.runDue();
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).attempt_count, 1);

    const released = await h.stripe.invoices.update(renewal.id, { auto_advance: true });
    const now = Math.floor(h.clock.now().getTime() / 1000);
    assert.equal(released.next_payment_attempt, now + 3600);
    h.clock.advance(3600 * 1000);
    await h.emulator.runDue();
    const retried = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(retried.attempt_count, 2);
    assert.equal(
      retried.next_payment_attempt,
      now + 3600 + 2 * DAY,
      'the rest of the schedule keeps its spacing',
    );
  });

  /** A failed renewal held (auto_advance off) for `heldMs`, then released, on an emulator set up so. */
  async function releasedAfter(heldMs: number, options: Parameters<typeof startHarness>[0]) {
    await h.close();
    h = await startHarness({ retrySchedule: [3, 5, 7, 14], ...options });
    const failed = await failedRenewal();
    await h.stripe.invoices.update(failed.renewal.id, { auto_advance: false });
    h.clock.advance(heldMs);
    await h.emulator.runDue();
    const released = await h.stripe.invoices.update(failed.renewal.id, { auto_advance: true });
    return { ...failed, released };
  }

  it('with releaseRetry: none, a hold released after the retry window ends makes no further attempt', async () => {
    const { renewal, released, subscription } = await releasedAfter(21 * DAY_MS, { releaseRetry: 'none' });
    assert.equal(released.auto_advance, true);
    assert.equal(released.next_payment_attempt, null);
    h.clock.advance(20 * DAY_MS);
    await h.emulator.runDue();
    const later = await h.stripe.invoices.retrieve(renewal.id);
    assert.deepEqual([later.status, later.attempt_count, later.next_payment_attempt], ['open', 1, null]);
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
  });

  it('with releaseRetry: none or final_action, a short hold keeps the retries still ahead', async () => {
    for (const releaseRetry of ['none', 'final_action'] as const) {
      const { renewal, released } = await releasedAfter(3_600_000, { releaseRetry });
      assert.equal(
        released.next_payment_attempt,
        (renewal.next_payment_attempt ?? 0) as number,
        releaseRetry,
      );
    }
  });

  it('with releaseRetry: final_action, a hold released after the retry window cancels the subscription at once', async () => {
    const { released, subscription } = await releasedAfter(21 * DAY_MS, { releaseRetry: 'final_action' });
    assert.equal(released.next_payment_attempt, null);
    const sub = await h.stripe.subscriptions.retrieve(subscription.id);
    assert.equal(sub.status, 'canceled');
    assert.equal(sub.cancellation_details?.reason, 'payment_failed');
    const deleted = h.emulator.events.find(
      (e) => e.type === 'customer.subscription.deleted' && e.objectId === subscription.id,
    );
    assert.ok(deleted?.requestId, 'taken in the release request');
  });

  it('with releaseRetry: final_action, marks the invoice uncollectible at once when so configured', async () => {
    const { renewal, subscription } = await releasedAfter(21 * DAY_MS, {
      releaseRetry: 'final_action',
      afterFinalRetry: { subscription: 'leave_past_due', invoice: 'mark_uncollectible' },
    });
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.status, 'uncollectible');
    assert.equal(invoice.status_details?.uncollectible?.reason, 'max_payment_attempts');
    assert.notEqual((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'canceled');
  });

  it('pays the invoice on the next retry once the card works again, making the subscription active', async () => {
    const { renewal, subscription, paymentMethod } = await failedRenewal();
    await setCardBehavior(h, paymentMethod.id, null);
    h.clock.set((renewal.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    const paid = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.attempt_count, 2);
    assert.equal(paid.amount_paid, 2900);
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
    const succeeded = h.emulator.events.find(
      (e) => e.type === 'invoice.payment_succeeded' && e.objectId === renewal.id,
    );
    assert.equal(succeeded?.requestId, null);
  });

  it('does not charge a hard-declined card again until the payment method changes', async () => {
    const { renewal, customer } = await failedRenewal('lost_card');
    h.clock.set((renewal.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    const skipped = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(skipped.attempt_count, 2, 'the schedule still advances');
    assert.equal(
      (await h.stripe.charges.list({ customer: customer.id })).data.filter((c) => c.status === 'failed')
        .length,
      1,
    );

    const fresh = await h.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: fresh.id } });
    h.clock.set((skipped.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).status, 'paid');
  });

  it('keeps billing a past_due subscription: the next period is invoiced and attempted too', async () => {
    const { subscription } = await failedRenewal();
    await h.stripe.invoices.update((await invoicesOf(h.stripe, subscription.id))[0]?.id ?? '', {
      auto_advance: false,
    });
    await passPeriodEnd(h, subscription.id);
    const invoices = await invoicesOf(h.stripe, subscription.id);
    assert.deepEqual(
      invoices.map((i) => [i.billing_reason, i.status, i.attempt_count]),
      [
        ['subscription_cycle', 'open', 1],
        ['subscription_cycle', 'open', 1],
        ['subscription_create', 'paid', 1],
      ],
    );
  });

  it('can mark the subscription unpaid and the invoice uncollectible after the last retry instead', async () => {
    await h.close();
    h = await startHarness({
      retrySchedule: [1],
      afterFinalRetry: { subscription: 'mark_unpaid', invoice: 'mark_uncollectible' },
    });
    const { renewal, subscription } = await failedRenewal();
    h.clock.set((renewal.next_payment_attempt ?? 0) * 1000);
    await h.emulator.runDue();
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.status, 'uncollectible');
    assert.equal(invoice.status_details?.uncollectible?.reason, 'max_payment_attempts');
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'unpaid');

    await passPeriodEnd(h, subscription.id);
    const [next] = await invoicesOf(h.stripe, subscription.id);
    assert.equal(next?.status, 'open');
    assert.equal(next?.attempted, false, 'an unpaid subscription is invoiced but not charged');
  });
});
