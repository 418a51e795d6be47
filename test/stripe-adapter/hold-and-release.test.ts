import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { idempotencyKey } from '../../adapters/stripe/idempotency-key.js';
import {
  type AdapterHarness,
  DAY_MS,
  failedRenewal,
  setCardBehavior,
  startAdapterHarness,
} from './support.js';

describe('Stripe adapter: holdRetries and releaseHold', () => {
  let h: AdapterHarness;
  beforeEach(async () => {
    h = await startAdapterHarness({ retrySchedule: [3, 5, 7, 14] });
  });
  afterEach(() => h.close());

  const until = (days: number) => new Date(h.clock.now().getTime() + days * DAY_MS);
  const failedCharges = async (customer: string) =>
    (await h.stripe.charges.list({ customer })).data.filter((c) => c.status === 'failed').length;

  it('turns auto_advance off with our metadata, and Stripe makes no retry when the clock passes next_payment_attempt', async () => {
    const { renewal, customer } = await failedRenewal(h);
    assert.ok(renewal.next_payment_attempt);
    const holdUntil = until(7);

    const result = await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: holdUntil });
    assert.deepEqual(result, { previousAutoAdvance: true, invoiceStatus: 'open' });
    const held = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(held.auto_advance, false);
    assert.equal(held.next_payment_attempt, null);
    assert.deepEqual(held.metadata, {
      flexcharge_status: 'held',
      flexcharge_rescue_id: 'rsc_1',
      flexcharge_hold_until: holdUntil.toISOString(),
      flexcharge_previous_auto_advance: 'true',
    });
    const update = h.emulator.events
      .filter((e) => e.type === 'invoice.updated' && e.objectId === renewal.id)
      .at(-1);
    assert.equal(update?.idempotencyKey, idempotencyKey(`hold-${renewal.id}-rsc_1`, h.clock.now()));

    h.clock.set(renewal.next_payment_attempt * 1000 + DAY_MS);
    await h.emulator.runDue();
    const after = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(after.attempt_count, 1);
    assert.equal(after.status, 'open');
    assert.equal(await failedCharges(customer.id), 1, 'no second charge');
    assert.deepEqual(await h.adapter.invoiceStatus(renewal.id), {
      invoiceId: renewal.id,
      status: 'open',
      autoAdvance: false,
      paidByRescueId: null,
      subscriptionStatus: 'past_due',
      subscriptionPaused: false,
      amountRemaining: { amount: 2900, currency: 'EUR' },
      nextPaymentAttempt: null,
    });
  });

  it('returns the original previous value when the same hold is repeated (after a crash), even with another until', async () => {
    const { renewal } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    const again = await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(8) });
    assert.deepEqual(again, { previousAutoAdvance: true, invoiceStatus: 'open' });
    const held = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(held.metadata?.flexcharge_previous_auto_advance, 'true');
  });

  it('remembers false when the invoice was already off auto_advance before the hold', async () => {
    const { renewal } = await failedRenewal(h);
    await h.stripe.invoices.update(renewal.id, { auto_advance: false });
    const result = await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    assert.deepEqual(result, { previousAutoAdvance: false, invoiceStatus: 'open' });
  });

  it('inherits the remembered value from an earlier rescue’s hold that was never released', async () => {
    const { renewal } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_old', until: until(7) });
    const result = await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_new', until: until(7) });
    assert.deepEqual(result, { previousAutoAdvance: true, invoiceStatus: 'open' });
    const held = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(held.metadata?.flexcharge_rescue_id, 'rsc_new');
    assert.equal(held.metadata?.flexcharge_previous_auto_advance, 'true');
  });

  it('holds again, keeping the remembered value, when someone re-enabled auto_advance under the hold', async () => {
    const { renewal } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    await h.stripe.invoices.update(renewal.id, { auto_advance: true });
    const again = await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    assert.deepEqual(again, { previousAutoAdvance: true, invoiceStatus: 'open' });
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).auto_advance, false);
  });

  it('restores auto_advance on release and Stripe retries again', async () => {
    const { renewal, customer } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    h.clock.advance(10 * DAY_MS);
    await h.emulator.runDue();

    await h.adapter.releaseHold(renewal.id, {
      rescueId: 'rsc_1',
      restoreAutoAdvance: true,
      reason: 'not rescued',
    });
    const released = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(released.auto_advance, true);
    assert.ok(released.next_payment_attempt);
    assert.equal(released.metadata?.flexcharge_status, 'released');
    assert.equal(released.metadata?.flexcharge_release_reason, 'not rescued');
    assert.equal(released.metadata?.flexcharge_rescue_id, 'rsc_1');

    h.clock.set(released.next_payment_attempt * 1000);
    await h.emulator.runDue();
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).attempt_count, 2);
    assert.equal(await failedCharges(customer.id), 2);
  });

  it('treats a repeated release as done, even with another reason', async () => {
    const { renewal } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    const release = { rescueId: 'rsc_1', restoreAutoAdvance: true, reason: 'not rescued' };
    await h.adapter.releaseHold(renewal.id, release);
    await h.adapter.releaseHold(renewal.id, { ...release, reason: 'rescue cancelled' });
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.auto_advance, true);
    assert.equal(invoice.metadata?.flexcharge_release_reason, 'not rescued');
  });

  it('does nothing on release when the invoice is no longer open', async () => {
    const { renewal, paymentMethod } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_1', until: until(7) });
    await setCardBehavior(h, paymentMethod.id, null);
    await h.stripe.invoices.pay(renewal.id);
    await h.adapter.releaseHold(renewal.id, { rescueId: 'rsc_1', restoreAutoAdvance: true, reason: 'x' });
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.metadata?.flexcharge_status, 'held', 'left as it was');
  });

  it('leaves the hold of another rescue alone', async () => {
    const { renewal } = await failedRenewal(h);
    await h.adapter.holdRetries(renewal.id, { rescueId: 'rsc_2', until: until(7) });
    await h.adapter.releaseHold(renewal.id, { rescueId: 'rsc_1', restoreAutoAdvance: true, reason: 'x' });
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.auto_advance, false);
    assert.equal(invoice.metadata?.flexcharge_rescue_id, 'rsc_2');
  });
});
