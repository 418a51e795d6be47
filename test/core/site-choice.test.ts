import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseFlow } from '../../plugin/core/flow-choice.js';
import type { MerchantProfile, MerchantSite } from '../../plugin/core/merchant-runtime.js';
import { resolveSite, siteReference } from '../../plugin/core/site-choice.js';

const ALL_ON = { mit: true, cit_website: true, cit_call_center: true };
const site = (over: Partial<MerchantSite> & { id: string }): MerchantSite => ({
  url: null,
  statementDescriptor: null,
  flexchargeSiteIds: {},
  enabled: ALL_ON,
  isDefault: false,
  ...over,
});
// One website, two FlexCharge accounts (sandbox and production): an id in each.
const SHOES_SANDBOX_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
const SHOES_PRODUCTION_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const SHOES = site({
  id: '11111111-1111-4111-8111-111111111111',
  url: 'https://shoes.example.com',
  statementDescriptor: 'SHOES EXAMPLE',
  flexchargeSiteIds: { sandbox: SHOES_SANDBOX_ID, production: SHOES_PRODUCTION_ID },
});

const HATS = site({ id: '22222222-2222-4222-8222-222222222222', url: 'https://hats.example.com' });
const CALLS = site({
  id: '33333333-3333-4333-8333-333333333333',
  statementDescriptor: 'EXAMPLE PHONE ORDERS',
  isDefault: true,
});

function profile(
  sites: MerchantSite[],
  credentialSiteUrl: string | null = null,
  credentialSiteId: string | null = null,
): MerchantProfile {
  const off = { mode: 'off', environment: 'sandbox' } as const;
  return {
    merchantId: 'acme',
    flows: { mit: off, cit_website: off, cit_call_center: off },
    sites,
    credentialSites: { sandbox: { siteId: credentialSiteId, siteUrl: credentialSiteUrl } },
    environments: new Set(['sandbox']),
  };
}

describe('site resolution', () => {
  const merchant = profile([SHOES, HATS, CALLS]);
  const resolve = (siteMetadata: string | null, statementDescriptor: string | null) =>
    resolveSite(merchant, { siteMetadata, statementDescriptor })?.id;

  it('takes the site the metadata names, by our id, FlexCharge site id, URL or host', () => {
    assert.equal(resolve(HATS.id, 'SHOES EXAMPLE'), HATS.id, 'metadata before the descriptor');
    assert.equal(resolve(SHOES_SANDBOX_ID, null), SHOES.id, "the sandbox account's id");
    assert.equal(resolve(SHOES_PRODUCTION_ID.toUpperCase(), null), SHOES.id, "the production account's id");
    assert.equal(resolve('https://hats.example.com', null), HATS.id);
    assert.equal(resolve('hats.example.com', null), HATS.id);
  });

  it('then the statement descriptor, then the default site', () => {
    assert.equal(resolve(null, ' shoes  example '), SHOES.id);
    assert.equal(resolve('unknown-site', 'NOBODY'), CALLS.id, 'unknown names fall through to the default');
    assert.equal(
      resolveSite(profile([SHOES, HATS]), { siteMetadata: null, statementDescriptor: null }),
      null,
    );
    assert.equal(
      resolveSite(profile([HATS]), { siteMetadata: null, statementDescriptor: null })?.id,
      HATS.id,
      'an only site is the default',
    );
  });

  it('names the site with one kind only: site id, else URL, else descriptor', () => {
    assert.deepEqual(siteReference(SHOES, merchant, 'sandbox', 'X'), {
      kind: 'site_id',
      value: SHOES_SANDBOX_ID,
    });
    assert.deepEqual(siteReference(HATS, merchant, 'sandbox', 'X'), {
      kind: 'site_url',
      value: 'https://hats.example.com',
    });
    assert.deepEqual(siteReference(CALLS, merchant, 'sandbox', 'X'), {
      kind: 'descriptor',
      value: 'EXAMPLE PHONE ORDERS',
    });
    const bare = profile([], 'https://shop.example.com');
    assert.deepEqual(siteReference(null, bare, 'sandbox', 'X'), {
      kind: 'site_url',
      value: 'https://shop.example.com',
    });
    assert.deepEqual(siteReference(null, profile([]), 'sandbox', 'SHOP'), {
      kind: 'descriptor',
      value: 'SHOP',
    });
    assert.deepEqual(siteReference(null, profile([]), 'sandbox', null), { kind: 'none' });
  });

  it("sends the site id of the flow's environment, never the other account's", () => {
    assert.deepEqual(siteReference(SHOES, merchant, 'production', 'X'), {
      kind: 'site_id',
      value: SHOES_PRODUCTION_ID,
    });
    const productionOnly = site({
      id: '44444444-4444-4444-8444-444444444444',
      url: 'https://socks.example.com',
      flexchargeSiteIds: { production: SHOES_PRODUCTION_ID },
    });
    assert.deepEqual(
      siteReference(productionOnly, merchant, 'sandbox', 'X'),
      { kind: 'site_url', value: 'https://socks.example.com' },
      'no sandbox id: the URL',
    );
    const idOnly = site({ id: productionOnly.id, flexchargeSiteIds: { production: SHOES_PRODUCTION_ID } });
    const sandboxDefault = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
    assert.deepEqual(
      siteReference(idOnly, profile([idOnly], null, sandboxDefault), 'sandbox', 'X'),
      { kind: 'site_id', value: sandboxDefault },
      "nothing else known in sandbox: the sandbox credentials' default site",
    );
    assert.deepEqual(
      siteReference(idOnly, profile([idOnly]), 'sandbox', 'SOCKS'),
      { kind: 'descriptor', value: 'SOCKS' },
      "nor a default: the transaction's own descriptor",
    );
  });
});

describe('flow choice', () => {
  it('is MIT without the customer, CIT by channel with them', () => {
    const ctx = (initiator: 'merchant' | 'customer', orderSource: 'website' | 'call_center') => ({
      initiator,
      orderSource,
      siteMetadata: null,
    });
    assert.equal(chooseFlow(ctx('merchant', 'call_center')), 'mit');
    assert.equal(chooseFlow(ctx('customer', 'website')), 'cit_website');
    assert.equal(chooseFlow(ctx('customer', 'call_center')), 'cit_call_center');
  });
});
