import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { createFlexChargeSandbox, DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import type { ChargeReport, RenewalFailure } from '../../plugin/core/billing-engine.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import type { SiteReference } from '../../plugin/core/rescue-provider.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createFlexChargeCallLog } from '../../plugin/storage/flexcharge-call-log.js';
import { createTestDatabase } from '../support/test-database.js';
import { tokenizeRequest } from './fixtures.js';
import { renewalFailure, renewalSubmission } from './renewal-fixture.js';

const MERCHANT = 'merchant-acme';
const OUR_SITE = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';

/** §6.4's whole address, as the sandbox requires by default. */
function complete(renewal: RenewalFailure): RenewalFailure {
  const card = renewal.card!;
  return {
    ...renewal,
    card: {
      ...card,
      billingAddress: { ...card.billingAddress!, line1: 'Unter den Linden 1', city: 'Berlin' },
    },
  };
}

/** The provider over real HTTP against the sandbox, its calls logged in PostgreSQL for one merchant. */
async function startProvider(requiredFields: 'union' | 'latest', handle: DatabaseHandle | null) {
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  const sandbox = createFlexChargeSandbox({ clock, requiredFields });
  const server = await sandbox.listen(0);
  const client = createFlexChargeClient({
    baseUrl: server.baseUrl,
    environment: 'local',
    credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret },
    mid: DEMO_CREDENTIAL.mid,
    tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
    clock,
    maxRetries: 0,
    merchantId: MERCHANT,
    ...(handle ? { callLog: createFlexChargeCallLog(handle.db) } : {}),
  });
  const provider = createFlexChargeRescueProvider({ client, environment: 'local', mid: DEMO_CREDENTIAL.mid });
  const submission = async (
    overrides: Parameters<typeof renewalSubmission>[0] = {},
    card?: string,
  ): Promise<ReturnType<typeof renewalSubmission>> => {
    const { token } = await client.tokenize(tokenizeRequest(card));
    const invoiceId = `in_${randomUUID()}`;
    return renewalSubmission({
      rescueId: randomUUID(),
      merchantOrderId: invoiceId,
      cardToken: token,
      renewal: complete(renewalFailure({ invoiceId, failedAt: clock.now() })),
      expiresAt: new Date(clock.now().getTime() + 21 * DAY_MS),
      ...overrides,
    });
  };
  return {
    sandbox,
    provider,
    submission,
    close: async () => {
      await server.close();
      await sandbox.close();
    },
  };
}

describe('FlexCharge call log: who, which flow, which site', () => {
  let handle: DatabaseHandle;
  let subject: Awaited<ReturnType<typeof startProvider>>;
  before(async () => {
    handle = await createTestDatabase();
    subject = await startProvider('union', handle);
  });
  after(async () => {
    await subject.close();
    await handle.close();
  });

  it('records the merchant on every row, and the flow and our site id on evaluate and transmit', async () => {
    const submission = await subject.submission({ flow: 'mit', merchantSiteId: OUR_SITE });
    assert.equal((await subject.provider.submitRenewal(submission)).status, 'submitted');
    const charge: ChargeReport = {
      chargeId: `ch_${randomUUID()}`,
      context: { initiator: 'customer', orderSource: 'call_center', siteMetadata: null },
      succeeded: true,
      amount: { amount: 1999, currency: 'EUR' },
      createdAt: new Date('2026-06-12T14:00:00Z'),
      invoiceId: submission.merchantOrderId,
      subscription: null,
      offSession: false,
      code: null,
      declineCode: null,
      networkDeclineCode: null,
      networkStatus: 'approved',
      network: 'visa',
      checks: null,
      card: submission.renewal.card,
      customer: { id: 'cus_1', email: 'ada@example.com', phone: null },
      statementDescriptor: null,
    };
    await subject.provider.transmit(charge, {
      merchantOrderId: submission.merchantOrderId,
      flow: 'cit_call_center',
      site: { kind: 'none' },
      merchantSiteId: null,
    });

    const rows = await handle.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select(['operation', 'merchant_id', 'flow', 'site_id'])
      .orderBy('id')
      .execute();
    assert.ok(rows.length >= 4);
    assert.ok(rows.every((row) => row.merchant_id === MERCHANT));
    const of = (operation: string) => rows.filter((row) => row.operation === operation);
    assert.deepEqual(of('evaluate'), [
      { operation: 'evaluate', merchant_id: MERCHANT, flow: 'mit', site_id: OUR_SITE },
    ]);
    assert.deepEqual(of('transmit'), [
      { operation: 'transmit', merchant_id: MERCHANT, flow: 'cit_call_center', site_id: null },
    ]);
    assert.ok(of('token').every((row) => row.flow === null && row.site_id === null));
  });
});

describe('FlexCharge provider against the sandbox: every site kind, both required-field profiles', () => {
  const kinds: SiteReference[] = [
    { kind: 'site_id', value: DEMO_CREDENTIAL.siteIds?.[0] ?? '' },
    { kind: 'site_url', value: 'https://shop.example' },
    { kind: 'descriptor', value: 'ACME PRO' },
    { kind: 'none' },
  ];
  for (const requiredFields of ['union', 'latest'] as const) {
    for (const site of kinds) {
      it(`hands a MIT over naming ${site.kind} under ${requiredFields}, and transmits its charge`, async () => {
        const subject = await startProvider(requiredFields, null);
        try {
          const submission = await subject.submission({ site });
          assert.equal((await subject.provider.submitRenewal(submission)).status, 'submitted');
          const charge: ChargeReport = {
            chargeId: `ch_${randomUUID()}`,
            context: submission.renewal.context,
            succeeded: false,
            amount: submission.renewal.amountDue,
            createdAt: submission.renewal.failedAt,
            invoiceId: submission.merchantOrderId,
            subscription: {
              id: 'sub_1',
              interval: 'month',
              intervalCount: 1,
              price: submission.renewal.amountDue,
            },
            offSession: true,
            code: submission.renewal.failedPayment.code,
            declineCode: submission.renewal.failedPayment.declineCode,
            networkDeclineCode: submission.renewal.failedPayment.networkDeclineCode,
            networkStatus: submission.renewal.failedPayment.networkStatus,
            network: submission.renewal.failedPayment.network,
            checks: submission.renewal.failedPayment.checks,
            card: submission.renewal.card,
            customer: { id: 'cus_1', email: 'ada@example.com', phone: null },
            statementDescriptor: 'ACME PRO',
          };
          const sent = await subject.provider.transmit(charge, {
            merchantOrderId: submission.merchantOrderId,
            flow: 'mit',
            site,
            merchantSiteId: null,
          });
          assert.ok(sent.transmitId);
        } finally {
          await subject.close();
        }
      });
    }
  }
});

describe('FlexCharge provider against the sandbox: a CIT challenge', () => {
  it('answers a website CIT the sandbox challenges with its orderSessionKey', async () => {
    // The latest profile: a Stripe invoice carries no shopper IP, which older pages required of a CIT.
    const subject = await startProvider('latest', null);
    try {
      const submission = await subject.submission(
        {
          flow: 'cit_website',
          renewal: complete(
            renewalFailure({ customer: { ...renewalFailure().customer, phone: '+49 30 1234567' } }),
          ),
        },
        '4111111111111111',
      );
      const decision = await subject.provider.submitRenewal(submission);
      assert.equal(decision.status, 'challenge');
      assert.ok(decision.status === 'challenge');
      assert.match(decision.orderSessionKey ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(decision.orderId, decision.orderSessionKey);
      assert.equal(decision.providerStatus, 'CHALLENGE');
      const [order] = [...subject.sandbox.orders.values()];
      assert.equal(order?.isMIT, false);
      assert.equal(order?.orderSource, 'website');
    } finally {
      await subject.close();
    }
  });
});
