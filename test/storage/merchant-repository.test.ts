import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../../plugin/core/errors.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import {
  createMerchantRepository,
  type MerchantRepository,
} from '../../plugin/storage/merchant-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-06-12T14:30:00Z');
const CREDENTIALS = {
  environment: 'production' as const,
  appKey: 'appkey-prod-7f3a9c1d2e4b',
  appSecret: 'appsecret-prod-0a1b2c3d4e5f6a7b',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
  webhookKey: Buffer.from('subscriber-key-of-the-portal').toString('base64'),
  defaultSiteId: '0e9d8c7b-6a59-4847-b635-241302010f0e',
};
const STRIPE = {
  engine: 'stripe' as const,
  apiKey: 'rk_live_Zx9Yw8Vu7Ts6',
  webhookSecret: 'whsec_Q1w2E3r4T5y6',
};
const SECRETS = [
  CREDENTIALS.appKey,
  CREDENTIALS.appSecret,
  CREDENTIALS.webhookKey,
  STRIPE.apiKey,
  STRIPE.webhookSecret,
];

describe('stored merchants', () => {
  let database: DatabaseHandle;
  let merchants: MerchantRepository;
  const key = randomBytes(32);
  before(async () => {
    database = await createTestDatabase();
    merchants = createMerchantRepository(database.db, createSecretBox(key));
    await merchants.upsertMerchant({ id: 'acme', name: 'Acme Ltd' }, NOW);
    await merchants.putFlexChargeCredentials('acme', CREDENTIALS, NOW);
    await merchants.putEngineConnection('acme', { ...STRIPE, stripeAccountId: 'acct_1Acme' }, NOW);
  });
  after(() => database.close());

  it('creates, renames and lists merchants', async () => {
    await merchants.upsertMerchant({ id: 'globex', name: 'Globex' }, NOW);
    const later = new Date(NOW.getTime() + 60_000);
    const renamed = await merchants.upsertMerchant({ id: 'globex', name: 'Globex Corporation' }, later);
    assert.equal(renamed.name, 'Globex Corporation');
    assert.deepEqual(renamed.createdAt, NOW);
    assert.deepEqual(renamed.updatedAt, later);
    assert.deepEqual(
      (await merchants.listMerchants()).map((m) => [m.id, m.name]),
      [
        ['acme', 'Acme Ltd'],
        ['globex', 'Globex Corporation'],
      ],
    );
  });

  it('stores every secret as ciphertext: no column of any merchant table holds one in clear', async () => {
    for (const table of ['merchant_flexcharge_credentials', 'merchant_engine_connections']) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(
        `flexcharge_mit.${table}`,
      )}`.execute(database.db);
      assert.equal(rows.length, 1, table);
      const dump = rows.map((r) =>
        Object.values(r)
          .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v)))
          .join('|'),
      );
      for (const secret of SECRETS)
        assert.equal(dump.join('').includes(secret), false, `${table}: clear secret`);
      for (const [column, value] of Object.entries(rows[0] ?? {})) {
        if (column.endsWith('_key_id')) assert.equal(value, createSecretBox(key).keyId, column);
        if (column.endsWith('_ciphertext'))
          assert.ok(value instanceof Uint8Array && value.length > 28, column);
      }
    }
  });

  it('shows secrets redacted on every read: the last four characters and the sealing key, nothing more', async () => {
    const details = await merchants.getMerchant('acme');
    const [credentials] = details?.credentials ?? [];
    assert.deepEqual(credentials?.appSecret, {
      last4: '6a7b',
      keyId: createSecretBox(key).keyId,
      readable: true,
    });
    assert.equal(credentials?.appKey.last4, '2e4b');
    assert.equal(credentials?.mid, CREDENTIALS.mid);
    assert.equal(credentials?.defaultSiteId, CREDENTIALS.defaultSiteId);
    assert.equal(details?.engines[0]?.apiKey?.last4, '7Ts6');
    assert.equal(details?.engines[0]?.webhookSecret?.last4, 'T5y6');
    assert.equal(details?.engines[0]?.stripeAccountId, 'acct_1Acme');
    const text = JSON.stringify(details);
    for (const secret of SECRETS) assert.equal(text.includes(secret), false, 'secret in the redacted view');
  });

  it('decrypts credentials only through the explicit for-use call, as values that print redacted', async () => {
    const forUse = await merchants.flexChargeCredentialsForUse('acme', 'production');
    assert.equal(forUse?.appKey.reveal(), CREDENTIALS.appKey);
    assert.equal(forUse?.appSecret.reveal(), CREDENTIALS.appSecret);
    assert.equal(forUse?.webhookKey?.reveal(), CREDENTIALS.webhookKey);
    assert.equal(forUse?.mid, CREDENTIALS.mid);
    const printed = `${JSON.stringify(forUse)} ${inspect(forUse)} ${String(forUse?.appSecret)}`;
    for (const secret of SECRETS) assert.equal(printed.includes(secret), false, 'secret printed');
    assert.equal(await merchants.flexChargeCredentialsForUse('acme', 'sandbox'), null);
    const engine = await merchants.engineConnectionForUse('acme', 'stripe');
    assert.equal(engine?.apiKey?.reveal(), STRIPE.apiKey);
    assert.equal(engine?.webhookSecret?.reveal(), STRIPE.webhookSecret);
    assert.equal(engine?.stripeAccountId, 'acct_1Acme');
  });

  it('keeps one credential set per environment, replaced in place when set again', async () => {
    const sandbox = {
      ...CREDENTIALS,
      environment: 'sandbox' as const,
      appSecret: 'sandbox-secret-0123456789',
    };
    await merchants.putFlexChargeCredentials('acme', sandbox, NOW);
    await merchants.putFlexChargeCredentials('acme', { ...sandbox, webhookKey: null }, NOW);
    const details = await merchants.getMerchant('acme');
    assert.deepEqual(
      details?.credentials.map((c) => [c.environment, c.webhookKey === null]),
      [
        ['production', false],
        ['sandbox', true],
      ],
    );
    const forUse = await merchants.flexChargeCredentialsForUse('acme', 'sandbox');
    assert.equal(forUse?.appSecret.reveal(), 'sandbox-secret-0123456789');
    assert.equal(forUse?.appKey.reveal(), CREDENTIALS.appKey);
    assert.equal(forUse?.webhookKey, null);
  });

  it('shows no tail of a short secret: four characters of a few would say too much', async () => {
    await merchants.upsertMerchant({ id: 'tiny', name: 'Tiny' }, NOW);
    await merchants.putFlexChargeCredentials('tiny', { ...CREDENTIALS, appKey: 'short-key' }, NOW);
    const [credentials] = (await merchants.getMerchant('tiny'))?.credentials ?? [];
    assert.equal(credentials?.appKey.last4, null);
    assert.equal(credentials?.appKey.readable, true);
  });

  it('switches each flow on its own, one row per flow', async () => {
    await merchants.putFlow('acme', { flow: 'mit', mode: 'on', environment: 'production' }, NOW);
    await merchants.putFlow('acme', { flow: 'cit_website', mode: 'shadow', environment: 'sandbox' }, NOW);
    await merchants.putFlow('acme', { flow: 'cit_call_center', mode: 'off', environment: 'sandbox' }, NOW);
    await merchants.putFlow('acme', { flow: 'cit_website', mode: 'on', environment: 'sandbox' }, NOW);
    const flows = (await merchants.getMerchant('acme'))?.flows.map((f) => [f.flow, f.mode, f.environment]);
    assert.deepEqual(flows, [
      ['cit_call_center', 'off', 'sandbox'],
      ['cit_website', 'on', 'sandbox'],
      ['mit', 'on', 'production'],
    ]);
  });

  it('adds and updates sites with a switch per flow', async () => {
    const shop = await merchants.addSite(
      'acme',
      { url: 'https://shop.acme.test', statementDescriptor: 'ACME SHOP' },
      NOW,
    );
    assert.deepEqual(shop.enabled, { mit: true, cit_website: true, cit_call_center: true });
    const updated = await merchants.updateSite(
      'acme',
      shop.id,
      { url: 'https://shop.acme.test', enabled: { cit_call_center: false } },
      NOW,
    );
    assert.equal(updated.statementDescriptor, null);
    assert.deepEqual(updated.enabled, { mit: true, cit_website: true, cit_call_center: false });
    assert.deepEqual(
      (await merchants.getMerchant('acme'))?.sites.map((s) => s.id),
      [shop.id],
    );
    await assert.rejects(
      merchants.updateSite('globex', shop.id, { url: 'https://x.test' }, NOW),
      NotFoundError,
    );
  });

  it("keeps a site's FlexCharge id per environment, and a site known by one id only", async () => {
    const sandbox = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const production = '6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c';
    const both = await merchants.addSite(
      'acme',
      { url: 'https://both.acme.test', flexchargeSiteIds: { sandbox, production } },
      NOW,
    );
    assert.deepEqual(both.flexchargeSiteIds, { sandbox, production });
    const productionOnly = await merchants.addSite('acme', { flexchargeSiteIds: { production } }, NOW);
    assert.deepEqual(productionOnly.flexchargeSiteIds, { production });
    const cleared = await merchants.updateSite(
      'acme',
      both.id,
      { url: 'https://both.acme.test', flexchargeSiteIds: { sandbox: null, production } },
      NOW,
    );
    assert.deepEqual(cleared.flexchargeSiteIds, { production });
    const stored = (await merchants.getMerchant('acme'))?.sites.find((s) => s.id === both.id);
    assert.deepEqual(stored?.flexchargeSiteIds, { production });
    const noIds = await merchants.addSite('acme', { statementDescriptor: 'ACME NO IDS' }, NOW);
    assert.deepEqual(noIds.flexchargeSiteIds, {});
  });

  it('names each bad field, without echoing a secret', async () => {
    const err = await merchants
      .putFlexChargeCredentials(
        'acme',
        {
          environment: 'staging' as never,
          appKey: '',
          appSecret: 'hunter2-secret-value',
          mid: 'not-a-guid',
          defaultSiteUrl: 'ftp://acme.test',
        },
        NOW,
      )
      .catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(Object.keys(err.fields).sort(), ['appKey', 'defaultSiteUrl', 'environment', 'mid']);
    assert.equal(JSON.stringify({ m: err.message, f: err.fields }).includes('hunter2'), false);

    const site = await merchants.addSite('acme', {}, NOW).catch((e: unknown) => e);
    assert.ok(site instanceof ValidationError);
    assert.deepEqual(Object.keys(site.fields), ['url']);
    const noIds = await merchants
      .addSite('acme', { flexchargeSiteIds: { sandbox: null, production: null } }, NOW)
      .catch((e: unknown) => e);
    assert.ok(noIds instanceof ValidationError);
    assert.deepEqual(Object.keys(noIds.fields), ['url'], 'no id in either environment identifies nothing');
    const badIds = await merchants
      .addSite(
        'acme',
        { url: 'https://acme.test', flexchargeSiteIds: { sandbox: 'not-a-guid', production: '42' } },
        NOW,
      )
      .catch((e: unknown) => e);
    assert.ok(badIds instanceof ValidationError);
    assert.deepEqual(Object.keys(badIds.fields).sort(), [
      'flexchargeSiteIds.production',
      'flexchargeSiteIds.sandbox',
    ]);
    const misspelt = await merchants
      .addSite('acme', { url: 'https://acme.test', flexchargeSiteIds: { prod: 'x' } as never }, NOW)
      .catch((e: unknown) => e);
    assert.ok(misspelt instanceof ValidationError, 'an environment that is not one is refused');
    assert.deepEqual(Object.keys(misspelt.fields), ['flexchargeSiteIds']);
    const bad = await merchants.upsertMerchant({ id: 'Bad Id!', name: '' }, NOW).catch((e: unknown) => e);
    assert.ok(bad instanceof ValidationError);
    assert.deepEqual(Object.keys(bad.fields).sort(), ['id', 'name']);
    const engine = await merchants
      .putEngineConnection('acme', { engine: 'stripe', apiKey: 'pk_live_x', stripeAccountId: 'x' }, NOW)
      .catch((e: unknown) => e);
    assert.ok(engine instanceof ValidationError);
    assert.deepEqual(Object.keys(engine.fields).sort(), ['apiKey', 'stripeAccountId']);
  });

  it('refuses parts of a merchant that does not exist', async () => {
    await assert.rejects(
      merchants.putFlow('nobody', { flow: 'mit', mode: 'on', environment: 'sandbox' }, NOW),
      NotFoundError,
    );
    assert.equal(await merchants.getMerchant('nobody'), null);
  });

  it('lets one Stripe Connect account belong to one merchant only', async () => {
    await merchants.upsertMerchant({ id: 'initech', name: 'Initech' }, NOW);
    await assert.rejects(
      merchants.putEngineConnection('initech', { engine: 'stripe', stripeAccountId: 'acct_1Acme' }, NOW),
      (err: unknown) =>
        err instanceof ConflictError && /acct_1Acme belongs to another merchant/.test(err.message),
    );
  });

  it('shows a secret under a key it does not know as unreadable instead of failing the read', async () => {
    const stranger = createMerchantRepository(database.db, createSecretBox(randomBytes(32)));
    const details = await stranger.getMerchant('acme');
    assert.equal(details?.credentials[0]?.appSecret.readable, false);
    assert.equal(details?.credentials[0]?.appSecret.last4, null);
    await assert.rejects(stranger.flexChargeCredentialsForUse('acme', 'production'), /sealed under key/);
  });
});
