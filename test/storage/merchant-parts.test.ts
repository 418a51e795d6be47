import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConflictError, NotFoundError, ValidationError } from '../../plugin/core/errors.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import {
  createMerchantRepository,
  type MerchantRepository,
} from '../../plugin/storage/merchant-repository.js';
import { createTestDatabase } from '../support/test-database.js';

// A clock standing still: every write below shares one timestamp, as in the demo and the tests.
const NOW = new Date('2026-06-12T14:30:00Z');
const CREDENTIALS = {
  environment: 'sandbox' as const,
  appKey: 'appkey-sandbox-7f3a9c1d2e4b',
  appSecret: 'appsecret-sandbox-0a1b2c3d4e5f',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
};

describe('merchant metadata keys, default sites, removals and the fingerprint', () => {
  let database: DatabaseHandle;
  let merchants: MerchantRepository;
  before(async () => {
    database = await createTestDatabase();
    merchants = createMerchantRepository(database.db, createSecretBox(randomBytes(32)));
  });
  after(() => database.close());

  it('creates a merchant with the default metadata keys and keeps keys left out of a later update', async () => {
    const created = await merchants.upsertMerchant({ id: 'acme', name: 'Acme' }, NOW);
    assert.equal(created.created, true);
    assert.equal(created.siteMetadataKey, 'flexcharge_site');
    assert.equal(created.orderChannelMetadataKey, 'order_channel');
    const keyed = await merchants.upsertMerchant(
      { id: 'acme', name: 'Acme', siteMetadataKey: 'shop', orderChannelMetadataKey: 'channel' },
      NOW,
    );
    assert.equal(keyed.created, false);
    const renamed = await merchants.upsertMerchant({ id: 'acme', name: 'Acme Ltd' }, NOW);
    assert.deepEqual(
      [renamed.name, renamed.siteMetadataKey, renamed.orderChannelMetadataKey],
      ['Acme Ltd', 'shop', 'channel'],
    );
    const details = await merchants.getMerchant('acme');
    assert.equal(details?.siteMetadataKey, 'shop');
    assert.equal((await merchants.listMerchants())[0]?.orderChannelMetadataKey, 'channel');
  });

  it('refuses metadata keys Stripe would refuse, naming each', async () => {
    const err = await merchants
      .upsertMerchant(
        { id: 'acme', name: 'Acme', siteMetadataKey: 'x'.repeat(41), orderChannelMetadataKey: 'a[b]' },
        NOW,
      )
      .catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(Object.keys(err.fields).sort(), ['orderChannelMetadataKey', 'siteMetadataKey']);
    for (const bad of ['', ' padded', 'padded '])
      await assert.rejects(
        merchants.upsertMerchant({ id: 'acme', name: 'Acme', siteMetadataKey: bad }, NOW),
        ValidationError,
      );
    assert.equal(
      (await merchants.upsertMerchant({ id: 'acme', name: 'Acme Ltd' }, NOW)).siteMetadataKey,
      'shop',
    );
  });

  it('keeps at most one default site: making one default unsets the previous one', async () => {
    const shop = await merchants.addSite('acme', { url: 'https://shop.acme.test', isDefault: true }, NOW);
    const store = await merchants.addSite('acme', { statementDescriptor: 'ACME STORE' }, NOW);
    assert.equal(shop.isDefault, true);
    assert.equal(store.isDefault, false);
    const defaults = async () =>
      (await merchants.getMerchant('acme'))?.sites.filter((s) => s.isDefault).map((s) => s.id);

    await merchants.updateSite('acme', store.id, { statementDescriptor: 'ACME STORE', isDefault: true }, NOW);
    assert.deepEqual(await defaults(), [store.id]);
    // An update that leaves isDefault out keeps it as it was.
    await merchants.updateSite('acme', store.id, { statementDescriptor: 'ACME STORE 2' }, NOW);
    assert.deepEqual(await defaults(), [store.id]);
    const third = await merchants.addSite('acme', { url: 'https://third.acme.test', isDefault: true }, NOW);
    assert.deepEqual(await defaults(), [third.id]);
    await merchants.updateSite('acme', third.id, { url: 'https://third.acme.test', isDefault: false }, NOW);
    assert.deepEqual(await defaults(), []);
  });

  it('switches the default atomically: concurrent requests leave exactly one default, none fails', async () => {
    const sites = await Promise.all(
      [1, 2, 3].map((n) => merchants.addSite('acme', { url: `https://race${n}.acme.test` }, NOW)),
    );
    await Promise.all(
      sites.map((s) => merchants.updateSite('acme', s.id, { url: s.url, isDefault: true }, NOW)),
    );
    const defaults = (await merchants.getMerchant('acme'))?.sites.filter((s) => s.isDefault) ?? [];
    assert.equal(defaults.length, 1);
  });

  it('deletes a site, and says so when there is no such site', async () => {
    const site = await merchants.addSite('acme', { url: 'https://gone.acme.test' }, NOW);
    await merchants.deleteSite('acme', site.id);
    assert.equal(
      (await merchants.getMerchant('acme'))?.sites.some((s) => s.id === site.id),
      false,
    );
    await assert.rejects(merchants.deleteSite('acme', site.id), NotFoundError);
    await assert.rejects(merchants.deleteSite('nobody', site.id), NotFoundError);
    await assert.rejects(merchants.deleteSite('acme', 'not-a-uuid'), ValidationError);
  });

  it('removes one environment’s credentials, unless a live flow or an open rescue still needs them', async () => {
    await merchants.putFlexChargeCredentials('acme', CREDENTIALS, NOW);
    await merchants.putFlow('acme', { flow: 'mit', mode: 'shadow', environment: 'sandbox' }, NOW);
    await assert.rejects(
      merchants.removeFlexChargeCredentials('acme', 'sandbox'),
      (e: unknown) => e instanceof ConflictError && /flow mit .* runs in sandbox/.test(e.message),
    );
    await merchants.putFlow('acme', { flow: 'mit', mode: 'off', environment: 'sandbox' }, NOW);

    const rescue = await database.db
      .insertInto('flexcharge_mit.rescues')
      .values({
        merchant_id: 'acme',
        engine: 'stripe',
        invoice_id: 'in_open',
        subscription_id: null,
        customer_id: null,
        state: 'held',
        ineligible_reason: null,
        amount: 1000,
        currency: 'usd',
        failed_at: NOW,
        engine_initiated: true,
        failed_charge_id: null,
        decline_code: null,
        site: null,
        flexcharge_order_id: null,
        flexcharge_status: null,
        confirmation_id: null,
        expires_at: null,
        hold_applied_at: null,
        previous_auto_advance: null,
        outcome_at: null,
        written_back_at: null,
        state_before_attention: null,
        release_as: null,
        environment: 'sandbox',
        mode: 'on',
        site_id: null,
        order_source: null,
        order_session_key: null,
        shadow_request: null,
        next_action_at: null,
        last_error: null,
        locked_by: null,
        locked_until: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await assert.rejects(
      merchants.removeFlexChargeCredentials('acme', 'sandbox'),
      (e: unknown) => e instanceof ConflictError && /open rescue/.test(e.message),
    );
    await database.db
      .updateTable('flexcharge_mit.rescues')
      .set({ state: 'released' })
      .where('id', '=', rescue.id)
      .execute();

    await merchants.removeFlexChargeCredentials('acme', 'sandbox');
    assert.equal(await merchants.flexChargeCredentialsForUse('acme', 'sandbox'), null);
    await assert.rejects(merchants.removeFlexChargeCredentials('acme', 'sandbox'), NotFoundError);
    await assert.rejects(
      merchants.removeFlexChargeCredentials('acme', 'staging' as never),
      (e: unknown) => e instanceof ValidationError && 'environment' in e.fields,
    );
  });

  it('finds the merchant of a Stripe Connect account', async () => {
    await merchants.upsertMerchant({ id: 'globex', name: 'Globex' }, NOW);
    await merchants.putEngineConnection('globex', { engine: 'stripe', stripeAccountId: 'acct_1Globex' }, NOW);
    assert.equal(await merchants.merchantIdForStripeAccount('acct_1Globex'), 'globex');
    assert.equal(await merchants.merchantIdForStripeAccount('acct_1Nobody'), null);
  });

  it('changes the fingerprint on every kind of change, even within one instant, and only then', async () => {
    await merchants.upsertMerchant({ id: 'initech', name: 'Initech' }, NOW);
    const seen = new Set<string>();
    const expectChange = async (what: string, change: () => Promise<unknown>) => {
      const before = await merchants.fingerprint('initech');
      seen.add(before);
      await change();
      const after = await merchants.fingerprint('initech');
      assert.notEqual(after, before, what);
      assert.equal(seen.has(after), false, `${what}: back to an earlier fingerprint`);
    };
    const first = await merchants.fingerprint('initech');
    assert.equal(await merchants.fingerprint('initech'), first, 'stable while nothing changes');
    await merchants.putFlow('acme', { flow: 'cit_website', mode: 'on', environment: 'sandbox' }, NOW);
    assert.equal(await merchants.fingerprint('initech'), first, 'another merchant’s change');

    await expectChange('rename', () => merchants.upsertMerchant({ id: 'initech', name: 'Initech Inc' }, NOW));
    await expectChange('metadata key', () =>
      merchants.upsertMerchant({ id: 'initech', name: 'Initech Inc', siteMetadataKey: 'site' }, NOW),
    );
    await expectChange('credentials added', () =>
      merchants.putFlexChargeCredentials('initech', CREDENTIALS, NOW),
    );
    await expectChange('secret replaced with the same timestamp', () =>
      merchants.putFlexChargeCredentials(
        'initech',
        { ...CREDENTIALS, appSecret: 'another-secret-9876' },
        NOW,
      ),
    );
    await expectChange('flow added', () =>
      merchants.putFlow('initech', { flow: 'mit', mode: 'shadow', environment: 'sandbox' }, NOW),
    );
    await expectChange('flow changed', () =>
      merchants.putFlow('initech', { flow: 'mit', mode: 'on', environment: 'sandbox' }, NOW),
    );
    let site = await merchants.addSite('initech', { url: 'https://a.initech.test' }, NOW);
    await expectChange('site changed', async () => {
      site = await merchants.updateSite('initech', site.id, { url: 'https://b.initech.test' }, NOW);
    });
    await expectChange('site given its sandbox id', async () => {
      site = await merchants.updateSite(
        'initech',
        site.id,
        {
          url: 'https://b.initech.test',
          flexchargeSiteIds: { sandbox: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' },
        },
        NOW,
      );
    });
    await expectChange('the same id moved to production', async () => {
      site = await merchants.updateSite(
        'initech',
        site.id,
        {
          url: 'https://b.initech.test',
          flexchargeSiteIds: { production: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' },
        },
        NOW,
      );
    });
    await expectChange('site made default', () =>
      merchants.updateSite('initech', site.id, { url: 'https://b.initech.test', isDefault: true }, NOW),
    );
    await expectChange('site deleted and another added in the same instant', async () => {
      await merchants.deleteSite('initech', site.id);
      await merchants.addSite('initech', { url: 'https://b.initech.test' }, NOW);
    });
    await expectChange('engine connected', () =>
      merchants.putEngineConnection('initech', { engine: 'stripe', apiKey: 'sk_test_initech123456' }, NOW),
    );
    await expectChange('engine changed', () =>
      merchants.putEngineConnection('initech', { engine: 'stripe', stripeAccountId: 'acct_1Initech' }, NOW),
    );
    await merchants.putFlow('initech', { flow: 'mit', mode: 'off', environment: 'sandbox' }, NOW);
    await expectChange('credentials removed', () =>
      merchants.removeFlexChargeCredentials('initech', 'sandbox'),
    );
    await assert.rejects(merchants.fingerprint('nobody'), NotFoundError);
  });
});
