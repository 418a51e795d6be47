import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { VerifiedEngineEvent } from '../../plugin/core/billing-engine.js';
import {
  type AdapterHarness,
  eventsOf,
  type FailedRenewal,
  failedRenewal,
  startAdapterHarness,
  verified,
} from './support.js';

describe('Stripe adapter: normalize', () => {
  let h: AdapterHarness;
  let first: FailedRenewal;
  let second: FailedRenewal;
  before(async () => {
    h = await startAdapterHarness();
    first = await failedRenewal(h);
    second = await failedRenewal(h);
  });
  after(() => h.close());

  const only = (type: string, objectId: string) => {
    const [record] = eventsOf(h, type, objectId);
    assert.ok(record, `no ${type} for ${objectId}`);
    return verified(h, record);
  };
  const raw = (payload: unknown): VerifiedEngineEvent => ({
    id: 'evt_raw',
    type: 'whatever',
    createdAt: new Date(0),
    account: null,
    payload: payload as object,
  });

  it('maps invoice.payment_failed from Stripe Billing to an automatic renewal_failed', () => {
    const record = eventsOf(h, 'invoice.payment_failed', first.renewal.id)[0];
    assert.ok(record);
    assert.deepEqual(h.adapter.normalize(verified(h, record)), {
      kind: 'renewal_failed',
      invoiceId: first.renewal.id,
      failedAt: new Date(record.created * 1000),
      automatic: true,
      attemptCount: 1,
    });
  });

  it('maps invoice.payment_failed caused by an API call to a renewal_failed that is not automatic', async () => {
    await assert.rejects(h.stripe.invoices.pay(first.renewal.id));
    const events = eventsOf(h, 'invoice.payment_failed', first.renewal.id);
    const manual = events.at(-1);
    assert.ok(manual?.requestId);
    const normalized = h.adapter.normalize(verified(h, manual));
    assert.equal(normalized.kind, 'renewal_failed');
    assert.equal(normalized.kind === 'renewal_failed' && normalized.automatic, false);
  });

  it('reads the subscription from an acacia-shaped payload (top-level invoice.subscription) too', () => {
    const event = only('invoice.payment_failed', second.renewal.id);
    const payload = structuredClone(event.payload) as {
      api_version: string;
      request: unknown;
      data: { object: Record<string, unknown> };
    };
    payload.api_version = '2024-06-20';
    payload.request = null;
    delete payload.data.object.parent;
    payload.data.object.subscription = second.subscription.id;
    const normalized = h.adapter.normalize({ ...event, payload });
    assert.equal(normalized.kind, 'renewal_failed');
    assert.equal(normalized.kind === 'renewal_failed' && normalized.automatic, true);
  });

  it('maps invoice.paid to invoice_paid with no rescue id when nobody stamped it', () => {
    assert.deepEqual(h.adapter.normalize(only('invoice.paid', String(first.subscription.latest_invoice))), {
      kind: 'invoice_paid',
      invoiceId: String(first.subscription.latest_invoice),
      byRescueId: null,
    });
  });

  it('maps invoice.voided, invoice.marked_uncollectible and customer.subscription.deleted to their kinds', async () => {
    await h.stripe.invoices.voidInvoice(first.renewal.id);
    await h.stripe.invoices.markUncollectible(second.renewal.id);
    // The first subscription was already cancelled by Stripe's dunning while the clock ran on.
    await h.stripe.subscriptions.cancel(second.subscription.id);
    assert.deepEqual(h.adapter.normalize(only('invoice.voided', first.renewal.id)), {
      kind: 'invoice_voided',
      invoiceId: first.renewal.id,
    });
    assert.deepEqual(h.adapter.normalize(only('invoice.marked_uncollectible', second.renewal.id)), {
      kind: 'invoice_uncollectible',
      invoiceId: second.renewal.id,
    });
    assert.deepEqual(h.adapter.normalize(only('customer.subscription.deleted', second.subscription.id)), {
      kind: 'subscription_cancelled',
      subscriptionId: second.subscription.id,
    });
  });

  it('maps charge.succeeded and charge.failed to charge with the amount in upper-case currency', () => {
    const succeeded = h.emulator.events.find((e) => e.type === 'charge.succeeded');
    const failed = h.emulator.events.find((e) => e.type === 'charge.failed');
    assert.ok(succeeded && failed);
    assert.deepEqual(h.adapter.normalize(verified(h, succeeded)), {
      kind: 'charge',
      chargeId: succeeded.objectId,
      succeeded: true,
      amount: { amount: 2900, currency: 'EUR' },
    });
    assert.deepEqual(h.adapter.normalize(verified(h, failed)), {
      kind: 'charge',
      chargeId: failed.objectId,
      succeeded: false,
      amount: { amount: 2900, currency: 'EUR' },
    });
  });

  it('ignores every other event type, saying why', () => {
    const record = h.emulator.events.find((e) => e.type === 'customer.created');
    assert.ok(record);
    assert.deepEqual(h.adapter.normalize(verified(h, record)), {
      kind: 'ignored',
      reason: 'customer.created is not an event the plugin acts on',
    });
  });

  it('never throws on an unexpected payload shape: it ignores it with the reason', () => {
    const failedEvent = only('invoice.payment_failed', second.renewal.id).payload as {
      data: { object: Record<string, unknown> };
    };
    const withoutSubscription = structuredClone(failedEvent);
    delete withoutSubscription.data.object.parent;
    const notAnInvoice = structuredClone(failedEvent);
    notAnInvoice.data.object.object = 'charge';
    const badCurrency = {
      id: 'evt_x',
      type: 'charge.failed',
      created: 1,
      data: { object: { id: 'ch_x', object: 'charge', amount: 100, currency: 'euro' } },
    };
    const cases: [unknown, RegExp][] = [
      [null, /not a Stripe event/],
      ['a string', /not a Stripe event/],
      [[1, 2], /not a Stripe event/],
      [{ id: 'evt_x', type: 'invoice.paid' }, /not a Stripe event: created/],
      [
        { id: 'evt_x', type: 'invoice.paid', created: 1, data: { object: { id: 'in_x' } } },
        /without an invoice/,
      ],
      [withoutSubscription, /belongs to no subscription/],
      [notAnInvoice, /without an invoice: object/],
      [badCurrency, /without a charge: currency/],
    ];
    for (const [payload, reason] of cases) {
      const normalized = h.adapter.normalize(raw(payload));
      assert.equal(normalized.kind, 'ignored', JSON.stringify(payload)?.slice(0, 80));
      assert.match(normalized.kind === 'ignored' ? normalized.reason : '', reason);
    }
  });
});
