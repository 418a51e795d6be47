import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseFlow } from '../../plugin/core/flow-choice.js';
import type { MerchantProfile, MerchantSite } from '../../plugin/core/merchant-runtime.js';
import { resolveSite, siteReference } from '../../plugin/core/site-choice.js';

const ALL_ON = { mit: true, cit_website: true, cit_call_center: true };
const site = (over: Partial<MerchantSite> & { id: string }): MerchantSite => ({
  url: null,
  statementDescriptor: null,
  flexchargeSiteId: null,
  enabled: ALL_ON,
  isDefault: false,
  ...over,
});
const SHOES = site({
  id: '11111111-1111-4111-8111-111111111111',
  url: 'https://shoes.example.com',
  statementDescriptor: 'SHOES EXAMPLE',
  flexchargeSiteId: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
});
const HATS = site({ id: '22222222-2222-4222-8222-222222222222', url: 'https://hats.example.com' });
const CALLS = site({
  id: '33333333-3333-4333-8333-333333333333',
  statementDescriptor: 'EXAMPLE PHONE ORDERS',
  isDefault: true,
});

function profile(sites: MerchantSite[], credentialSiteUrl: string | null = null): MerchantProfile {
  const off = { mode: 'off', environment: 'sandbox' } as const;
  return {
    merchantId: 'acme',
    flows: { mit: off, cit_website: off, cit_call_center: off },
    sites,
    credentialSites: { sandbox: { siteId: null, siteUrl: credentialSiteUrl } },
    environments: new Set(['sandbox']),
  };
}

describe('site resolution', () => {
  const merchant = profile([SHOES, HATS, CALLS]);
  const resolve = (siteMetadata: string | null, statementDescriptor: string | null) =>
    resolveSite(merchant, { siteMetadata, statementDescriptor })?.id;

  it('takes the site the metadata names, by our id, FlexCharge site id, URL or host', () => {
    assert.equal(resolve(HATS.id, 'SHOES EXAMPLE'), HATS.id, 'metadata before the descriptor');
    assert.equal(resolve(SHOES.flexchargeSiteId, null), SHOES.id);
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
      value: SHOES.flexchargeSiteId,
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
