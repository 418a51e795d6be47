import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Harness, startHarness, subscribe } from './support.js';

/** Stripe's own fixture objects (stripe-mock) for the resources the emulator serves, kept beside this test. */
const FIXTURES = fileURLToPath(new URL('./stripe-fixtures.json', import.meta.url));

/**
 * Keys of the fixture deliberately absent from the emulator's endive objects, and why.
 * `invoice.subscription`: basil (2025-03-31) moved it to `parent.subscription_details.subscription`;
 * stripe-node 23 has no such field and the brief asks for it to be absent.
 */
const ABSENT_ON_PURPOSE = new Set(['invoice.subscription']);

/** Paths whose contents legitimately differ in kind (an event's object is whatever the event is about). */
const NOT_COMPARED = new Set(['event.data.object']);

describe('Stripe emulator: object shapes', () => {
  let h: Harness;
  const objects = new Map<string, unknown>();

  before(async () => {
    h = await startHarness();
    const get = async (path: string) => {
      const response = await fetch(`${h.server.url}/v1/${path}`, {
        headers: { authorization: `Bearer ${h.emulator.apiKey}` },
      });
      return response.json() as Promise<Record<string, unknown>>;
    };
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['*'],
    });
    const { customer, paymentMethod, price, subscription } = await subscribe(
      h.stripe,
      'pm_card_authenticationRequiredOnSetup',
    );
    await h.stripe.customers.update(customer.id, {
      address: { line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' },
    });
    const invoice = await get(`invoices/${subscription.latest_invoice}`);
    const payments = (await get(`invoice_payments?invoice=${invoice.id}`)) as {
      data: Array<Record<string, unknown>>;
    };
    const payment = payments.data[0] as { payment: { payment_intent: string } };
    const pi = await get(`payment_intents/${payment.payment.payment_intent}`);
    const sub = (await get(`subscriptions/${subscription.id}`)) as { items: { data: unknown[] } };
    const events = (await get('events?limit=1')) as { data: unknown[] };

    objects.set('customer', await get(`customers/${customer.id}`));
    objects.set('payment_method', await get(`payment_methods/${paymentMethod.id}`));
    objects.set('product', await get(`products/${price.product}`));
    objects.set('price', await get(`prices/${price.id}`));
    objects.set('subscription', sub);
    objects.set('subscription_item', sub.items.data[0]);
    objects.set('invoice', invoice);
    objects.set('line_item', (invoice.lines as { data: unknown[] }).data[0]);
    objects.set('invoice_payment', payments.data[0]);
    objects.set('payment_intent', pi);
    objects.set('charge', await get(`charges/${pi.latest_charge}`));
    objects.set('webhook_endpoint', endpoint);
    objects.set('event', events.data[0]);
    const account = await h.stripe.accounts.create({ type: 'standard', country: 'FR' });
    objects.set('account', await get(`accounts/${account.id}`));
    const record = await h.stripe.paymentRecords.reportPayment({
      amount_requested: { currency: 'eur', value: 2900 },
      initiated_at: 1_768_478_400,
      customer_details: { customer: customer.id },
      payment_method_details: { type: 'custom', custom: { display_name: 'FlexCharge' } },
      processor_details: { type: 'custom', custom: { payment_reference: 'fc-order-1' } },
      outcome: 'guaranteed',
      guaranteed: { guaranteed_at: 1_768_482_000 },
    });
    objects.set('payment_record', await get(`payment_records/${record.id}`));
  });
  after(() => h.close());

  const fixtures = (JSON.parse(readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, unknown> })
    .resources;

  for (const name of [
    'customer',
    'payment_method',
    'product',
    'price',
    'subscription',
    'subscription_item',
    'invoice',
    'line_item',
    'invoice_payment',
    'payment_intent',
    'charge',
    'webhook_endpoint',
    'event',
    'account',
    'payment_record',
  ]) {
    it(`returns ${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} with every key of Stripe's fixture`, () => {
      const actual = objects.get(name);
      assert.ok(actual, `no ${name} captured`);
      assert.deepEqual(missingKeys(fixtures[name], actual, name), []);
    });
  }
});

/** Keys present in the fixture but not in the emulator's object, recursing where both sides are objects. */
function missingKeys(fixture: unknown, actual: unknown, path: string): string[] {
  if (NOT_COMPARED.has(path)) return [];
  if (Array.isArray(fixture) && Array.isArray(actual)) {
    return fixture.length > 0 && actual.length > 0 ? missingKeys(fixture[0], actual[0], `${path}[]`) : [];
  }
  if (!isRecord(fixture) || !isRecord(actual) || path.endsWith('.metadata')) return [];
  return Object.keys(fixture).flatMap((key) => {
    const at = `${path}.${key}`;
    if (!(key in actual)) return ABSENT_ON_PURPOSE.has(at) ? [] : [at];
    return missingKeys(fixture[key], actual[key], at);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
