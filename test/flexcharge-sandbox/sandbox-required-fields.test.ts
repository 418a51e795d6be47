import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  DEMO_CREDENTIAL,
  type FlexChargeSandboxOptions,
} from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import {
  accessToken,
  BILLING,
  DEMO_SITE_ID,
  declinedTransaction,
  evaluate,
  managedMit,
  newSandbox,
} from './sandbox-test-kit.js';

/** A body without the field at `path` (dotted, camelCase). */
function without(body: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let parent = copy;
  for (const key of keys) parent = parent[key] as Record<string, unknown>;
  delete parent[last];
  return copy;
}

async function refusalOf(options: Partial<FlexChargeSandboxOptions>, build: (now: Date) => object) {
  const { api, clock } = newSandbox(options);
  const token = await accessToken(api);
  const response = await evaluate(api, token, build(clock.now()) as Record<string, unknown>);
  return { status: response.status, errors: response.body.errors as Record<string, string[]> | undefined };
}

describe('sandbox required fields (the contract’s 2024 and 2026 sets together, by default)', () => {
  const missing: [string, string, string][] = [
    ['billingInformation', 'BillingInformation', 'The BillingInformation field is required.'],
    ['mid', 'Mid', 'The Mid field is required.'],
    ['isDeclined', 'IsDeclined', 'The IsDeclined field is required.'],
    ['idempotencyKey', 'IdempotencyKey', 'The IdempotencyKey field is required.'],
    ['orderId', 'OrderId', "Merchant's orderId is required"],
    ['isRecurring', 'IsRecurring', 'The IsRecurring field is required.'],
    ['transaction.id', 'Transaction.Id', 'The Id field is required.'],
    ['transaction.timestampUtc', 'Transaction.TimestampUtc', 'The TimestampUtc field is required.'],
    ['transaction.responseCode', 'Transaction.ResponseCode', 'The ResponseCode field is required.'],
    [
      'transaction.responseCodeSource',
      'Transaction.ResponseCodeSource',
      'The ResponseCodeSource field is required.',
    ],
    ['transaction.avsResultCode', 'Transaction.AvsResultCode', 'The AvsResultCode field is required.'],
    ['transaction.cvvResultCode', 'Transaction.CvvResultCode', 'The CvvResultCode field is required.'],
    ['transaction.cavvResultCode', 'Transaction.CavvResultCode', 'The CavvResultCode field is required.'],
    ['billingInformation.zipCode', 'BillingInformation.ZipCode', 'The ZipCode field is required.'],
    ['billingInformation.lastName', 'BillingInformation.LastName', 'The LastName field is required.'],
    ['billingInformation.state', 'BillingInformation.State', 'The State field is required for US cards.'],
  ];
  for (const [path, key, message] of missing) {
    it(`refuses a managed MIT without ${path}: 400 "${key}": "${message}"`, async () => {
      const refused = await refusalOf({}, (now) => without(managedMit(now), path));
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.errors, { [key]: [message] });
    });
  }

  it('counts an empty or blank ResponseCodeSource as missing', async () => {
    for (const responseCodeSource of ['', '  ']) {
      const refused = await refusalOf({}, (now) =>
        managedMit(now, { transaction: declinedTransaction({ responseCodeSource }) }),
      );
      assert.deepEqual(refused.errors, {
        'Transaction.ResponseCodeSource': ['The ResponseCodeSource field is required.'],
      });
    }
  });

  it('refuses a mid and a siteId that are not GUIDs, and a site that is not the merchant’s', async () => {
    const refused = await refusalOf({}, (now) => managedMit(now, { mid: 'merchant-42', siteId: 'site-1' }));
    assert.deepEqual(refused.errors, {
      Mid: ['The field Mid is invalid.'],
      SiteId: ['The field SiteId is invalid.'],
    });
    const foreign = await refusalOf({}, (now) => managedMit(now, { siteId: randomUUID() }));
    assert.match(foreign.errors?.SiteId?.[0] ?? '', /does not belong to this merchant/);
  });

  it('takes a siteUrl in place of a siteId', async () => {
    const accepted = await refusalOf({}, (now) =>
      managedMit(now, { siteId: undefined, siteUrl: 'https://shop.example' }),
    );
    assert.equal(accepted.status, 200);
  });

  it('refuses an expiryDateUtc that is not ISO 8601, such as the RFC 1123 date the vendor sample sent', async () => {
    const refused = await refusalOf({}, (now) =>
      managedMit(now, { expiryDateUtc: new Date(now.getTime() + 21 * 86_400_000).toUTCString() }),
    );
    assert.deepEqual(refused.errors, { ExpiryDateUtc: ['The field ExpiryDateUtc is invalid.'] });
  });

  it('takes subscription.interval only from its vocabulary, in any case', async () => {
    const subscription = (interval: string) => ({
      subscriptionId: 'SUB-42',
      interval,
      price: 1999,
      currency: 'USD',
    });
    const refused = await refusalOf({}, (now) =>
      managedMit(now, { subscription: subscription('every 2 months') }),
    );
    assert.deepEqual(Object.keys(refused.errors ?? {}), ['Subscription.Interval']);
    assert.match(refused.errors?.['Subscription.Interval']?.[0] ?? '', /daily, weekly, monthly/);
    const accepted = await refusalOf({}, (now) => managedMit(now, { subscription: subscription('Yearly') }));
    assert.equal(accepted.status, 200);
  });

  it('needs a customerIp on a customer-initiated evaluate', async () => {
    const refused = await refusalOf({}, (now) => without(managedMit(now, { isMIT: false }), 'isRecurring'));
    assert.deepEqual(refused.errors, { CustomerIp: ['The CustomerIp field is required.'] });
  });
});

describe('sandbox required fields under the switches', () => {
  const minimal2026 = (now: Date) => {
    const body = managedMit(now, {
      transaction: { id: 'ch_1', timestampUtc: now.toISOString(), amount: 1999, currency: 'USD' },
    });
    delete body.siteId;
    return body;
  };

  it('requiredFields: latest takes the 2026 minimum: no 2024 codes, no site for a single-site merchant', async () => {
    assert.equal((await refusalOf({}, minimal2026)).status, 400);
    assert.equal((await refusalOf({ requiredFields: 'latest' }, minimal2026)).status, 200);
  });

  it('requiredFields: latest still needs a site when the merchant has several', async () => {
    const credential = {
      ...DEMO_CREDENTIAL,
      siteIds: [DEMO_SITE_ID, '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'],
    };
    const refused = await refusalOf({ requiredFields: 'latest', credentials: [credential] }, minimal2026);
    assert.deepEqual(refused.errors, {
      SiteId: ['The SiteId field is required when no SiteUrl or Transaction.DynamicDescriptor is sent.'],
    });
  });

  it('billingFields: country_postal takes an address of country and postal code only', async () => {
    const postalOnly = (now: Date) =>
      managedMit(now, { billingInformation: { country: 'France', countryCode: 'FR', zipCode: '75001' } });
    const full = await refusalOf({}, postalOnly);
    assert.deepEqual(Object.keys(full.errors ?? {}).sort(), [
      'BillingInformation.AddressLine1',
      'BillingInformation.City',
      'BillingInformation.FirstName',
      'BillingInformation.LastName',
    ]);
    assert.equal((await refusalOf({ billingFields: 'country_postal' }, postalOnly)).status, 200);
    const noPostalCode = await refusalOf({ billingFields: 'country_postal' }, (now) =>
      managedMit(now, { billingInformation: { ...BILLING, zipCode: undefined } }),
    );
    assert.deepEqual(noPostalCode.errors, {
      'BillingInformation.ZipCode': ['The ZipCode field is required.'],
    });
  });
});

describe('sandbox site references (siteId, siteUrl or the descriptor; assigned when the MID has one site)', () => {
  const OTHER_SITE = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
  const kinds: [string, Record<string, unknown>, unknown][] = [
    ['siteId', { siteId: DEMO_SITE_ID }, { kind: 'site_id', value: DEMO_SITE_ID }],
    ['siteUrl', { siteUrl: 'https://shop.example' }, { kind: 'site_url', value: 'https://shop.example' }],
    ['dynamicDescriptor', { descriptor: 'ACME PRO' }, { kind: 'descriptor', value: 'ACME PRO' }],
    ['no site', {}, { kind: 'assigned', value: DEMO_SITE_ID }],
  ];
  const mitNaming = (now: Date, site: Record<string, unknown>) => {
    const { descriptor, ...root } = site;
    const body = managedMit(now, {
      ...root,
      transaction: declinedTransaction(descriptor ? { dynamicDescriptor: descriptor } : {}),
      orderSource: 'call_center',
    });
    if (!('siteId' in root)) delete body.siteId;
    return body;
  };

  for (const requiredFields of ['union', 'latest'] as const) {
    for (const [what, site, recorded] of kinds) {
      it(`takes a managed MIT naming ${what} under requiredFields: ${requiredFields}`, async () => {
        const { api, clock } = newSandbox({ requiredFields });
        const token = await accessToken(api);
        await evaluate(api, token, mitNaming(clock.now(), site)).expect(200);
        const [order] = (await api.get('/_sandbox/orders').expect(200)).body;
        assert.deepEqual(order.site, recorded);
        assert.equal(order.orderSource, 'call_center');
      });
    }
  }

  it('needs a site under union from a MID whose sites it does not know, and from one with several', async () => {
    for (const siteIds of [undefined, [DEMO_SITE_ID, OTHER_SITE]]) {
      const credentials = [{ ...DEMO_CREDENTIAL, siteIds }];
      const refused = await refusalOf({ credentials }, (now) => mitNaming(now, {}));
      assert.deepEqual(refused.errors, {
        SiteId: ['The SiteId field is required when no SiteUrl or Transaction.DynamicDescriptor is sent.'],
      });
      const named = await refusalOf({ credentials }, (now) => mitNaming(now, { descriptor: 'ACME PRO' }));
      assert.equal(named.status, 200);
    }
  });
});
