import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { ManualClock } from '../../plugin/core/clock.js';
import type { Logger } from '../../plugin/core/logger.js';
import { createAccess } from '../../plugin/http/admin-auth.js';
import { createApp } from '../../plugin/http/create-app.js';
import { merchantAdminRoutes } from '../../plugin/http/merchant-admin-routes.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createMerchantChanges } from '../../plugin/storage/merchant-changes.js';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const TOKEN = 'partner-token-0123456789abcdef';
const CREDENTIALS = {
  appKey: 'appkey-prod-7f3a9c1d2e4b',
  appSecret: 'appsecret-prod-0a1b2c3d4e5f6a7b',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
  webhookKey: Buffer.from('subscriber-key-of-the-portal').toString('base64'),
  defaultSiteUrl: 'https://shop.acme.test',
};
const STRIPE = { apiKey: 'rk_live_Zx9Yw8Vu7Ts6Rq5P', webhookSecret: 'whsec_Q1w2E3r4T5y6U7i8' };
const SECRETS = [
  CREDENTIALS.appKey,
  CREDENTIALS.appSecret,
  CREDENTIALS.webhookKey,
  STRIPE.apiKey,
  STRIPE.webhookSecret,
  'sk_live_BrokenJsonSecret42',
];
const SITE_ID = '0e9d8c7b-6a59-4847-b635-241302010f0e';

/** Every merchant route, with a body where it takes one: each must refuse a request without the token. */
const ROUTES: [method: 'get' | 'put' | 'post' | 'delete', path: string][] = [
  ['get', '/admin/merchants'],
  ['get', '/admin/merchants/acme'],
  ['put', '/admin/merchants/acme'],
  ['put', '/admin/merchants/acme/credentials/production'],
  ['delete', '/admin/merchants/acme/credentials/production'],
  ['put', '/admin/merchants/acme/flows/mit'],
  ['post', '/admin/merchants/acme/sites'],
  ['put', `/admin/merchants/acme/sites/${SITE_ID}`],
  ['delete', `/admin/merchants/acme/sites/${SITE_ID}`],
  ['put', '/admin/merchants/acme/engines/stripe'],
];

describe('the partner admin API over stored merchants', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof createApp>;
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  const answers: string[] = [];
  const logLines: string[] = [];
  const logger: Logger = {
    info: (m, f) => logLines.push(JSON.stringify({ m, f })),
    warn: (m, f) => logLines.push(JSON.stringify({ m, f })),
    error: (m, f) => logLines.push(JSON.stringify({ m, f })),
  };

  before(async () => {
    database = await createTestDatabase();
    const box = createSecretBox(randomBytes(32));
    app = createApp({
      database,
      logger,
      routers: [
        merchantAdminRoutes({
          access: createAccess({ adminToken: TOKEN, apiKeys: null, clock }),
          merchants: createMerchantRepository(database.db, box),
          changes: createMerchantChanges(database.db, box),
          clock,
        }),
      ],
    });
  });
  after(() => database.close());

  /** A request with the partner token; every answer is kept, to be searched for secrets at the end. */
  async function call(method: (typeof ROUTES)[number][0], path: string, body?: unknown) {
    let req = request(app)[method](path).set('authorization', `Bearer ${TOKEN}`);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;
    answers.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
    return res;
  }
  const fieldsOf = (res: request.Response) => Object.keys(res.body.error?.fields ?? {}).sort();

  it('refuses every merchant route without the partner token, or with a wrong one', async () => {
    for (const [method, path] of ROUTES) {
      const none = await request(app)[method](path).send({ name: 'x' });
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.equal(none.body.error.code, 'unauthorized');
      const wrong = await request(app)[method](path).set('authorization', 'Bearer not-the-token-at-all-0000');
      assert.equal(wrong.status, 401, `${method} ${path} (wrong token)`);
    }
  });

  it('is off entirely when no partner token is configured', async () => {
    const off = createApp({
      database,
      logger,
      routers: [
        merchantAdminRoutes({
          access: createAccess({ adminToken: undefined, apiKeys: null, clock }),
          merchants: createMerchantRepository(database.db, createSecretBox(randomBytes(32))),
          changes: createMerchantChanges(database.db, createSecretBox(randomBytes(32))),
          clock,
        }),
      ],
    });
    for (const [method, path] of ROUTES) assert.equal((await request(off)[method](path)).status, 403);
  });

  it('creates a merchant (201), then updates it (200), answering with its view', async () => {
    const created = await call('put', '/admin/merchants/acme', { name: 'Acme' });
    assert.equal(created.status, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    assert.equal(created.body.merchant.id, 'acme');
    assert.equal(created.body.merchant.siteMetadataKey, 'flexcharge_site');
    assert.deepEqual(created.body.merchant.credentials, []);
    const updated = await call('put', '/admin/merchants/acme', {
      name: 'Acme Ltd',
      siteMetadataKey: 'shop',
      orderChannelMetadataKey: 'channel',
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(
      [
        updated.body.merchant.name,
        updated.body.merchant.siteMetadataKey,
        updated.body.merchant.orderChannelMetadataKey,
      ],
      ['Acme Ltd', 'shop', 'channel'],
    );
    const list = await call('get', '/admin/merchants');
    assert.deepEqual(
      list.body.merchants.map((m: { id: string; name: string }) => [m.id, m.name]),
      [['acme', 'Acme Ltd']],
    );
  });

  it('answers 400 naming each bad field, and each unknown one', async () => {
    const bad = await call('put', '/admin/merchants/acme', { name: '', siteMetadataKey: 'k'.repeat(41) });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    assert.deepEqual(fieldsOf(bad), ['name', 'siteMetadataKey']);
    const badId = await call('put', '/admin/merchants/Not%20An%20Id', { name: 'x' });
    assert.equal(badId.status, 400);
    assert.deepEqual(fieldsOf(badId), ['id']);
    const typo = await call('put', '/admin/merchants/acme', { name: 'Acme', siteMetadatakey: 'x' });
    assert.equal(typo.status, 400);
    assert.deepEqual(fieldsOf(typo), ['siteMetadatakey']);
    const notObject = await call('put', '/admin/merchants/acme', [1, 2]);
    assert.equal(notObject.status, 400);
    assert.deepEqual(fieldsOf(notObject), ['body']);

    const credentials = await call('put', '/admin/merchants/acme/credentials/production', {
      appKey: '',
      appSecret: CREDENTIALS.appSecret,
      mid: 'not-a-guid',
      webhookKey: 'not base64!',
      defaultSiteUrl: 'ftp://x.test',
    });
    assert.equal(credentials.status, 400);
    assert.deepEqual(fieldsOf(credentials), ['appKey', 'defaultSiteUrl', 'mid', 'webhookKey']);
    const environment = await call('put', '/admin/merchants/acme/credentials/staging', CREDENTIALS);
    assert.deepEqual([environment.status, fieldsOf(environment)], [400, ['environment']]);
    const flow = await call('put', '/admin/merchants/acme/flows/moto', {
      mode: 'maybe',
      environment: 'sandbox',
    });
    assert.deepEqual([flow.status, fieldsOf(flow)], [400, ['flow', 'mode']]);
    const engine = await call('put', '/admin/merchants/acme/engines/chargebee', { apiKey: 'pk_live_x' });
    assert.deepEqual([engine.status, fieldsOf(engine)], [400, ['apiKey', 'engine']]);
    const site = await call('post', '/admin/merchants/acme/sites', { enabled: { mit: 'yes' } });
    assert.deepEqual([site.status, fieldsOf(site)], [400, ['enabled.mit']]);
    const siteIds = await call('post', '/admin/merchants/acme/sites', {
      url: 'https://shop.acme.test',
      flexchargeSiteIds: { sandbox: 'not-a-guid' },
    });
    assert.deepEqual([siteIds.status, fieldsOf(siteIds)], [400, ['flexchargeSiteIds.sandbox']]);
    const oneId = await call('post', '/admin/merchants/acme/sites', {
      url: 'https://shop.acme.test',
      flexchargeSiteId: SITE_ID,
    });
    assert.deepEqual(
      [oneId.status, fieldsOf(oneId)],
      [400, ['flexchargeSiteId']],
      'the single id of before is refused, not dropped: it would be sent to the wrong account',
    );
  });

  it('answers 404 for an unknown merchant on every route', async () => {
    const paths: [(typeof ROUTES)[number][0], string, unknown][] = [
      ['get', '/admin/merchants/nobody', undefined],
      ['put', '/admin/merchants/nobody/credentials/production', CREDENTIALS],
      ['delete', '/admin/merchants/nobody/credentials/production', undefined],
      ['put', '/admin/merchants/nobody/flows/mit', { mode: 'on', environment: 'sandbox' }],
      ['post', '/admin/merchants/nobody/sites', { url: 'https://x.test' }],
      ['put', `/admin/merchants/nobody/sites/${SITE_ID}`, { url: 'https://x.test' }],
      ['delete', `/admin/merchants/nobody/sites/${SITE_ID}`, undefined],
      ['put', '/admin/merchants/nobody/engines/stripe', { stripeAccountId: 'acct_1X' }],
    ];
    for (const [method, path, body] of paths) {
      const res = await call(method, path, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'not_found');
    }
  });

  it('stores credentials encrypted and shows them redacted, then removes them', async () => {
    const put = await call('put', '/admin/merchants/acme/credentials/production', CREDENTIALS);
    assert.equal(put.status, 200);
    const [shown] = put.body.merchant.credentials;
    assert.equal(shown.environment, 'production');
    assert.equal(shown.appSecret.last4, '6a7b');
    assert.equal(shown.appSecret.readable, true);
    assert.equal(typeof shown.appSecret.keyId, 'string');
    assert.equal(shown.mid, CREDENTIALS.mid);
    assert.equal(shown.defaultSiteUrl, CREDENTIALS.defaultSiteUrl);

    const { rows } = await sql<Record<string, unknown>>`
      select * from flexcharge_mit.merchant_flexcharge_credentials where merchant_id = 'acme'`.execute(
      database.db,
    );
    assert.equal(rows.length, 1);
    const stored = rows[0] ?? {};
    for (const column of ['app_key_ciphertext', 'app_secret_ciphertext', 'webhook_key_ciphertext'])
      assert.ok(stored[column] instanceof Uint8Array && stored[column].length > 28, column);
    const dump = Object.values(stored)
      .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v)))
      .join('|');
    for (const secret of SECRETS) assert.equal(dump.includes(secret), false, 'a secret stored in clear');

    await call('put', '/admin/merchants/acme/flows/mit', { mode: 'on', environment: 'production' });
    const refused = await call('delete', '/admin/merchants/acme/credentials/production');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /flow mit/);
    await call('put', '/admin/merchants/acme/flows/mit', { mode: 'on', environment: 'sandbox' });
    const removed = await call('delete', '/admin/merchants/acme/credentials/production');
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.merchant.credentials, []);
    assert.equal((await call('delete', '/admin/merchants/acme/credentials/production')).status, 404);
    await call('put', '/admin/merchants/acme/credentials/production', CREDENTIALS);
  });

  it('sets flows, each on its own', async () => {
    const res = await call('put', '/admin/merchants/acme/flows/cit_website', {
      mode: 'shadow',
      environment: 'sandbox',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.merchant.flows.map((f: { flow: string; mode: string }) => [f.flow, f.mode]),
      [
        ['cit_website', 'shadow'],
        ['mit', 'on'],
      ],
    );
  });

  it('adds, updates, switches the default of, and deletes sites', async () => {
    const ids = { sandbox: SITE_ID, production: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' };
    const shop = await call('post', '/admin/merchants/acme/sites', {
      url: 'https://shop.acme.test',
      flexchargeSiteIds: ids,
      isDefault: true,
    });
    assert.equal(shop.status, 201);
    assert.equal(shop.body.site.isDefault, true);
    assert.deepEqual(shop.body.site.flexchargeSiteIds, ids);
    const store = await call('post', '/admin/merchants/acme/sites', {
      statementDescriptor: 'ACME STORE',
      enabled: { cit_call_center: false },
    });
    assert.deepEqual(store.body.site.enabled, { mit: true, cit_website: true, cit_call_center: false });
    const switched = await call('put', `/admin/merchants/acme/sites/${store.body.site.id}`, {
      statementDescriptor: 'ACME STORE',
      isDefault: true,
    });
    assert.equal(switched.status, 200);
    const isDefault = Object.fromEntries(
      switched.body.merchant.sites.map((s: { id: string; isDefault: boolean }) => [s.id, s.isDefault]),
    );
    assert.deepEqual(isDefault, { [shop.body.site.id]: false, [store.body.site.id]: true });
    const deleted = await call('delete', `/admin/merchants/acme/sites/${shop.body.site.id}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(
      deleted.body.merchant.sites.map((s: { id: string }) => s.id),
      [store.body.site.id],
    );
    assert.equal((await call('delete', `/admin/merchants/acme/sites/${shop.body.site.id}`)).status, 404);
    const badSite = await call('put', '/admin/merchants/acme/sites/not-a-uuid', { url: 'https://x.test' });
    assert.deepEqual([badSite.status, fieldsOf(badSite)], [400, ['site id']]);
  });

  it('connects the billing engine, and refuses an account that belongs to another merchant', async () => {
    const res = await call('put', '/admin/merchants/acme/engines/stripe', {
      ...STRIPE,
      stripeAccountId: 'acct_1Acme',
    });
    assert.equal(res.status, 200);
    const [engine] = res.body.merchant.engines;
    assert.deepEqual(
      [engine.engine, engine.apiKey.last4, engine.webhookSecret.last4, engine.stripeAccountId],
      ['stripe', 'Rq5P', 'U7i8', 'acct_1Acme'],
    );
    await call('put', '/admin/merchants/globex', { name: 'Globex' });
    const taken = await call('put', '/admin/merchants/globex/engines/stripe', {
      stripeAccountId: 'acct_1Acme',
    });
    assert.equal(taken.status, 409);
  });

  it('sets how rescued payments are written back per engine connection, audited with the change', async () => {
    const stored = await call('put', '/admin/merchants/acme/engines/stripe', {
      ...STRIPE,
      stripeAccountId: 'acct_1Acme',
      writeBackMode: 'payment_record',
    });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.merchant.engines[0].writeBackMode, 'payment_record');
    const entry = await database.db
      .selectFrom('flexcharge_mit.audit_entries')
      .select(['action', 'before', 'after'])
      .where('merchant_id', '=', 'acme')
      .where('action', '=', 'engine.updated')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [
        (entry.before as { writeBackMode?: string }).writeBackMode,
        (entry.after as { writeBackMode?: string }).writeBackMode,
      ],
      ['paid_out_of_band', 'payment_record'],
    );
    const bad = await call('put', '/admin/merchants/acme/engines/stripe', {
      ...STRIPE,
      writeBackMode: 'cheque',
    });
    assert.deepEqual([bad.status, fieldsOf(bad)], [400, ['writeBackMode']]);
    // A connection sent again without the choice (a key rotated) keeps how finance sees recoveries.
    const rotated = await call('put', '/admin/merchants/acme/engines/stripe', {
      ...STRIPE,
      stripeAccountId: 'acct_1Acme',
    });
    assert.equal(rotated.body.merchant.engines[0].writeBackMode, 'payment_record');
    // A new connection without the choice is written back out of band, as before the choice existed.
    await call('put', '/admin/merchants/acme/engines/stripe', {
      ...STRIPE,
      writeBackMode: 'paid_out_of_band',
    });
    const fresh = await call('put', '/admin/merchants/globex/engines/stripe', STRIPE);
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal(fresh.body.merchant.engines[0].writeBackMode, 'paid_out_of_band');
  });

  it('never echoes a secret, even from a body that is not valid JSON', async () => {
    const broken = await request(app)
      .put('/admin/merchants/acme/credentials/production')
      .set('authorization', `Bearer ${TOKEN}`)
      .set('content-type', 'application/json')
      .send('{"appSecret": sk_live_BrokenJsonSecret42}');
    answers.push(broken.text);
    assert.equal(broken.status, 400);
    assert.deepEqual(fieldsOf(broken), ['body']);
    const details = await call('get', '/admin/merchants/acme');
    assert.equal(details.status, 200);
    assert.ok(answers.length > 30);
    // V8's JSON.parse message quotes about ten characters around the fault: a fragment is a leak too.
    for (const text of [...answers, ...logLines]) assert.equal(text.includes('sk_live_Br'), false, text);
    for (const secret of SECRETS) {
      for (const answer of answers) assert.equal(answer.includes(secret), false, 'a secret in an answer');
      for (const line of logLines) assert.equal(line.includes(secret), false, 'a secret in the log');
    }
  });
});
