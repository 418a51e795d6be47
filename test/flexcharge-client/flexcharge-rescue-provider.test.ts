import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { money } from '../../plugin/core/money.js';
import { renewalSubmission } from './renewal-fixture.js';
import { type Answer, scriptedFetch } from './scripted-fetch.js';

/** The rescue-provider port over a scripted FlexCharge: what each FlexCharge answer becomes. */

const MID = '7c2ff0e4-6d4c-4a49-9f0a-1d6b2c0c5e11';

function providerAnswering(answers: Answer[]) {
  const script = scriptedFetch(answers);
  const client = createFlexChargeClient({
    baseUrl: 'http://flexcharge.test/v1',
    environment: 'sandbox',
    credentials: { appKey: 'app-key-0123456789', appSecret: 'app-secret-0123456789' },
    mid: MID,
    clock: new ManualClock('2026-06-12T14:30:00Z'),
    fetchImpl: script.fetchImpl,
    maxRetries: 0,
  });
  const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
  return { provider, script };
}

const refunded = () => Response.json({ status: 'SUCCESS', success: true });

describe('FlexCharge rescue provider: refund', () => {
  it('sends amountToRefund in major units by Stripe’s exponents: ISK 500 is 5 króna, KWD 5120 is 5.12', async () => {
    const { provider, script } = providerAnswering([refunded(), refunded(), refunded()]);
    await provider.refund('ord-1', money(500, 'ISK'), 'paid elsewhere');
    await provider.refund('ord-2', money(5120, 'KWD'), 'paid elsewhere');
    await provider.refund('ord-3', money(1999, 'USD'), 'paid elsewhere');
    assert.deepEqual(
      script.apiCalls().map((call) => (call.body as { amountToRefund: number }).amountToRefund),
      [5, 5.12, 19.99],
    );
  });
});

const ORDER = 'e97b1ff1-4449-46da-bc6c-a76d23f16353';
const evaluated = (status: string | null, orderSessionKey: string | null = ORDER) =>
  Response.json({ orderSessionKey, orderId: orderSessionKey, status, success: true, result: 'Success' });
const order = (fields: Record<string, unknown>) => Response.json({ id: ORDER, ...fields });
const outcome = (status: string, confirmationId: string | null = null) =>
  Response.json({ status, confirmationId, success: true });
const notFound = () =>
  Response.json(
    { status: 404, title: 'Not Found' },
    { status: 404, headers: { 'content-type': 'application/problem+json' } },
  );

describe('FlexCharge rescue provider: what an evaluate answer becomes', () => {
  for (const status of ['SUBMITTED', 'PROCESSING']) {
    it(`reads ${status} with an order key as submitted`, async () => {
      const { provider } = providerAnswering([evaluated(status)]);
      assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
        status: 'submitted',
        orderId: ORDER,
        providerStatus: status,
      });
    });
  }

  it('reads SUBMITTED without an order key as unknown, not as submitted', async () => {
    const { provider } = providerAnswering([evaluated('SUBMITTED', null)]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'unknown',
      orderId: null,
      providerStatus: 'SUBMITTED',
    });
  });

  it('reads APPROVED as approved, with the confirmation and the collected amount from the order', async () => {
    const { provider, script } = providerAnswering([
      evaluated('APPROVED'),
      order({
        status: 7,
        statusName: 'COMPLETED',
        confirmationId: '22ACD1D9',
        amount: 1999,
        currencyCode: 'EUR',
      }),
    ]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'approved',
      orderId: ORDER,
      confirmationId: '22ACD1D9',
      collected: { amount: 1999, currency: 'EUR' },
    });
    assert.equal(script.apiCalls()[1]?.url.pathname, `/v1/orders/${ORDER}`);
  });

  it('takes the confirmation from /outcome when the order does not carry one', async () => {
    const { provider } = providerAnswering([
      evaluated('APPROVED'),
      order({ status: 7, statusName: 'COMPLETED' }),
      outcome('APPROVED', '382AB3'),
    ]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'approved',
      orderId: ORDER,
      confirmationId: '382AB3',
      collected: null,
    });
  });

  it('keeps an approval whose order cannot be read, with what /outcome says', async () => {
    const { provider } = providerAnswering([
      evaluated('APPROVED'),
      notFound(),
      outcome('APPROVED', '382AB3'),
    ]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'approved',
      orderId: ORDER,
      confirmationId: '382AB3',
      collected: null,
    });
  });

  it('reads DECLINED, and only DECLINED, as declined', async () => {
    const { provider } = providerAnswering([evaluated('DECLINED')]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'declined',
      orderId: ORDER,
      providerStatus: 'DECLINED',
    });
  });

  it('reads CHALLENGE as a challenge the customer completes with the orderSessionKey', async () => {
    const { provider } = providerAnswering([evaluated('CHALLENGE')]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission({ flow: 'cit_website' })), {
      status: 'challenge',
      orderId: ORDER,
      orderSessionKey: ORDER,
      providerStatus: 'CHALLENGE',
    });
  });

  for (const [status, shown] of [
    ['CAPTUREREQUIRED', 'CAPTUREREQUIRED'],
    ['ON_FIRE', 'ON_FIRE'],
    [null, 'UNKNOWN'],
  ] as const) {
    it(`reads ${status ?? 'no status'} as unknown, keeping the order id`, async () => {
      const { provider } = providerAnswering([evaluated(status)]);
      assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
        status: 'unknown',
        orderId: ORDER,
        providerStatus: shown,
      });
    });
  }

  it('reads APPROVED without an order key as unknown: there is nothing to write back against', async () => {
    const { provider } = providerAnswering([evaluated('APPROVED', null)]);
    assert.deepEqual(await provider.submitRenewal(renewalSubmission()), {
      status: 'unknown',
      orderId: null,
      providerStatus: 'APPROVED',
    });
  });
});

describe('FlexCharge rescue provider: an order’s state from GET /orders/{id}', () => {
  const pending: Array<[number, string]> = [
    [0, 'DRAFT'],
    [1, 'ONHOLD'],
    [4, 'PROCESSING'],
    [5, 'CAPTUREREQUIRED'],
  ];
  for (const [status, statusName] of pending) {
    it(`reads status ${status} (${statusName}) as pending`, async () => {
      const { provider, script } = providerAnswering([order({ status, statusName })]);
      assert.deepEqual(await provider.outcome(ORDER), { status: 'pending', providerStatus: statusName });
      assert.deepEqual(
        script.apiCalls().map((c) => `${c.method} ${c.url.pathname}`),
        [`GET /v1/orders/${ORDER}`],
      );
    });
  }

  it('reads status 7 (Completed) as approved, with the confirmation and what was collected', async () => {
    const { provider } = providerAnswering([
      order({
        status: 7,
        statusName: 'COMPLETED',
        confirmationId: '22ACD1D9',
        amount: 500,
        currencyCode: 'JPY',
      }),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: '22ACD1D9',
      collected: { amount: 500, currency: 'JPY' },
    });
  });

  it('reads status 2 (Cancelled) as not rescued and 6 (Returned) as refunded', async () => {
    const { provider } = providerAnswering([
      order({ status: 2, statusName: 'CANCELLED' }),
      order({ status: 6, statusName: 'RETURNED' }),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), { status: 'not_rescued', providerStatus: 'CANCELLED' });
    assert.deepEqual(await provider.outcome(ORDER), { status: 'refunded', providerStatus: 'RETURNED' });
  });

  it('shows status 3 (Problem) as pending, not as an end', async () => {
    const { provider } = providerAnswering([order({ status: 3, statusName: 'PROBLEM' })]);
    assert.deepEqual(await provider.outcome(ORDER), { status: 'pending', providerStatus: 'PROBLEM' });
  });

  it('reads a status it does not know as pending, showing what FlexCharge said', async () => {
    const { provider } = providerAnswering([
      order({ status: 9, statusName: 'CHARGEBACK' }),
      order({ status: 12 }),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), { status: 'pending', providerStatus: 'CHARGEBACK' });
    assert.deepEqual(await provider.outcome(ORDER), { status: 'pending', providerStatus: 'STATUS_12' });
  });

  it('reads the status by name when FlexCharge sends no number', async () => {
    const { provider } = providerAnswering([
      order({ statusName: 'Completed', confirmationId: 'C0FFEE01' }),
      order({ status: 'Cancelled' }),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: 'C0FFEE01',
      collected: null,
    });
    assert.deepEqual(await provider.outcome(ORDER), { status: 'not_rescued', providerStatus: 'CANCELLED' });
  });

  it('invents no collected amount: none without an integer amount and a currency', async () => {
    const { provider } = providerAnswering([
      order({ status: 7, confirmationId: 'A', amount: 19.99, currencyCode: 'USD' }),
      order({ status: 7, confirmationId: 'A', amount: 1999 }),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: 'A',
      collected: null,
    });
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: 'A',
      collected: null,
    });
  });

  it('takes the confirmation of a completed order from /outcome when the order has none', async () => {
    const { provider } = providerAnswering([order({ status: 7 }), outcome('APPROVED', '382AB3')]);
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: '382AB3',
      collected: null,
    });
  });

  it('falls back to /outcome when the order GET answers 404', async () => {
    const { provider, script } = providerAnswering([
      notFound(),
      outcome('EXPIRED'),
      notFound(),
      outcome('NOTFOUND'),
      notFound(),
      outcome('APPROVED', '382AB3'),
    ]);
    assert.deepEqual(await provider.outcome(ORDER), { status: 'not_rescued', providerStatus: 'EXPIRED' });
    assert.deepEqual(await provider.outcome(ORDER), { status: 'not_found' });
    assert.deepEqual(await provider.outcome(ORDER), {
      status: 'approved',
      confirmationId: '382AB3',
      collected: null,
    });
    assert.deepEqual(
      script
        .apiCalls()
        .slice(0, 2)
        .map((c) => `${c.method} ${c.url.pathname}`),
      [`GET /v1/orders/${ORDER}`, 'POST /v1/outcome'],
    );
  });

  it('does not hide a FlexCharge outage behind /outcome: a 503 on the order GET is the poll’s error', async () => {
    const { provider } = providerAnswering([new Response(null, { status: 503 })]);
    await assert.rejects(provider.outcome(ORDER), { kind: 'server', retryable: true });
  });
});
