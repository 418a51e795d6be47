import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { type Method, routesOf } from '../support/app-routes.js';
import { ADMIN_TOKEN, type HttpHarness, startHttpHarness } from './http-harness.js';

const A = 'acme';
const B = 'globex';
const CREDENTIALS = {
  appKey: 'appkey-prod-7f3a9c1d2e4b',
  appSecret: 'appsecret-prod-0a1b2c3d4e5f6a7b',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
  webhookKey: Buffer.from('subscriber-key-of-the-portal').toString('base64'),
};
const ROTATED = { ...CREDENTIALS, appSecret: 'appsecret-prod-ROTATED-9z8y7x6w' };
const STRIPE = { apiKey: 'rk_live_Zx9Yw8Vu7Ts6Rq5P', webhookSecret: 'whsec_Q1w2E3r4T5y6U7i8' };
const SECRETS = [
  CREDENTIALS.appKey,
  CREDENTIALS.appSecret,
  CREDENTIALS.webhookKey,
  ROTATED.appSecret,
  STRIPE.apiKey,
  STRIPE.webhookSecret,
];
const KEY_FORMAT = /^fcm_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

// Webhooks are authenticated by their senders' signatures, the health check, the login page and
// the pages' stylesheet by nothing.
const unauthenticated = (path: string) =>
  ['/healthz', '/login', '/assets/pages.css'].includes(path) || path.startsWith('/webhooks/');
// The onboarding pages take a session cookie, never a bearer credential: without a session they send
// the browser to the login page (their own suite tests what a session may see). /metrics takes a
// bearer token (the scraper's or the partner's).
const isPage = (path: string) =>
  !path.startsWith('/admin') && !path.startsWith('/api') && path !== '/metrics';

describe('access: the partner, and merchant API keys; the audit log', () => {
  let h: HttpHarness;
  let keyA: string;
  let keyB: string;
  let keyIdA: string;
  let siteIdA: string;
  let rescueIdA: string;

  const as = (credential: string | null, method: Method, path: string, body?: object) => {
    let req = h.http[method](path);
    if (credential) req = req.set('authorization', `Bearer ${credential}`);
    return body === undefined ? req : req.send(body);
  };
  const partner = (method: Method, path: string, body?: object) => as(ADMIN_TOKEN, method, path, body);

  /** Everything stored about merchant A, to show that nothing of it changed. */
  async function snapshotOfA(): Promise<string> {
    const tables = [
      ['merchants', 'id'],
      ['merchant_flexcharge_credentials', 'merchant_id'],
      ['merchant_flows', 'merchant_id'],
      ['merchant_sites', 'merchant_id'],
      ['merchant_engine_connections', 'merchant_id'],
      ['merchant_api_keys', 'merchant_id'],
      ['audit_entries', 'merchant_id'],
      ['card_tokens', 'merchant_id'],
      ['rescues', 'merchant_id'],
    ] as const;
    const parts: string[] = [];
    for (const [table, column] of tables) {
      const { rows } = await sql<{ row: string }>`
        select t::text as row from ${sql.table(`flexcharge_mit.${table}`)} t
        where ${sql.ref(column)} = ${A} order by 1`.execute(h.database.db);
      parts.push(`${table}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  }

  before(async () => {
    h = await startHttpHarness();
    for (const id of [A, B])
      assert.equal((await partner('put', `/admin/merchants/${id}`, { name: id })).status, 201);
    await partner('put', `/admin/merchants/${A}/credentials/production`, CREDENTIALS).expect(200);
    await partner('put', `/admin/merchants/${A}/flows/mit`, { mode: 'on', environment: 'production' }).expect(
      200,
    );
    await partner('put', `/admin/merchants/${A}/engines/stripe`, STRIPE).expect(200);
    const site = await partner('post', `/admin/merchants/${A}/sites`, {
      url: 'https://shop.acme.test',
    }).expect(201);
    siteIdA = site.body.site.id;
    await partner('put', `/admin/merchants/${A}/card-tokens/stripe/pm_a`, { token: 'tok_a' }).expect(204);
    const rescues = createRescueRepository(h.database.db);
    const now = h.clock.now();
    rescueIdA = (
      await rescues.createIfAbsent({ merchantId: A, engine: 'stripe', invoiceId: 'in_a', failedAt: now, now })
    ).id;
    await sql`update flexcharge_mit.rescues set state = 'needs_attention', next_action_at = null
      where id = ${rescueIdA}`.execute(h.database.db);
    const a = await partner('post', `/admin/merchants/${A}/api-keys`, { name: 'checkout' }).expect(201);
    keyA = a.body.key;
    keyIdA = a.body.apiKey.id;
    keyB = (await partner('post', `/admin/merchants/${B}/api-keys`, { name: 'globex checkout' }).expect(201))
      .body.key;
  });
  after(() => h.close());

  it('creates a key shown once, lists it without the key, and stores only its hash', async () => {
    const created = await partner('post', `/admin/merchants/${A}/api-keys`, { name: 'back office' });
    assert.equal(created.status, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const key: string = created.body.key;
    const [, prefix] = KEY_FORMAT.exec(key) ?? [];
    assert.ok(prefix, key);
    assert.deepEqual(
      [created.body.apiKey.name, created.body.apiKey.prefix, created.body.apiKey.createdBy],
      ['back office', prefix, 'partner'],
    );
    assert.equal(created.body.apiKey.revokedAt, null);

    const listed = await partner('get', `/admin/merchants/${A}/api-keys`);
    assert.equal(listed.status, 200);
    const shown = listed.body.apiKeys.find((k: { id: string }) => k.id === created.body.apiKey.id);
    assert.deepEqual(Object.keys(shown).sort(), [
      'createdAt',
      'createdBy',
      'id',
      'lastUsedAt',
      'name',
      'prefix',
      'revokedAt',
    ]);
    assert.equal(listed.text.includes(key.slice(17)), false, 'the key in a listing');

    const { rows } = await sql<{ row: string; hash: Buffer }>`
      select k::text as row, key_hash as hash from flexcharge_mit.merchant_api_keys k
      where id = ${created.body.apiKey.id}`.execute(h.database.db);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.row.includes(key.slice(17)), false, 'the key stored');
    assert.equal(Buffer.from(row.hash).toString('latin1').includes(key.slice(17)), false);
    assert.deepEqual(Buffer.from(row.hash), createHash('sha256').update(key).digest());
    const audit = await sql<{
      row: string;
    }>`select a::text as row from flexcharge_mit.audit_entries a`.execute(h.database.db);
    for (const entry of audit.rows) assert.equal(entry.row.includes(key.slice(17)), false, 'the key audited');
  });

  it('lets a key read and change its own merchant, and marks when it was last used', async () => {
    assert.equal((await as(keyA, 'get', `/admin/merchants/${A}`)).status, 200);
    const flow = await as(keyA, 'put', `/admin/merchants/${A}/flows/cit_website`, {
      mode: 'shadow',
      environment: 'sandbox',
    });
    assert.equal(flow.status, 200);
    assert.equal((await as(keyA, 'get', `/admin/merchants/${A}/rescues`)).body.rescues.length, 1);
    const challenge = await as(keyA, 'get', `/api/merchants/${A}/invoices/stripe/in_a/challenge`);
    assert.deepEqual([challenge.status, challenge.body.state], [200, 'needs_attention']);
    const list = await as(keyA, 'get', '/admin/merchants');
    assert.deepEqual(
      list.body.merchants.map((m: { id: string }) => m.id),
      [A],
    );
    const keys = await as(keyA, 'get', `/admin/merchants/${A}/api-keys`);
    const mine = keys.body.apiKeys.find((k: { id: string }) => k.id === keyIdA);
    assert.equal(mine.lastUsedAt, h.clock.now().toISOString());
  });

  it('lets a key make and revoke keys of its merchant; a revoked key is refused at once', async () => {
    const made = await as(keyA, 'post', `/admin/merchants/${A}/api-keys`, { name: 'temporary' });
    assert.equal(made.status, 201);
    const [, prefixA] = KEY_FORMAT.exec(keyA) ?? [];
    assert.equal(made.body.apiKey.createdBy, `key:${prefixA}`);
    const temporary: string = made.body.key;
    assert.equal((await as(temporary, 'get', `/admin/merchants/${A}`)).status, 200);

    const revoked = await as(keyA, 'delete', `/admin/merchants/${A}/api-keys/${made.body.apiKey.id}`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.apiKey.revokedAt, h.clock.now().toISOString());
    const refused = await as(temporary, 'get', `/admin/merchants/${A}`);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'unauthorized');
    assert.equal(refused.headers['www-authenticate'], 'Bearer');

    const again = await as(keyA, 'delete', `/admin/merchants/${A}/api-keys/${made.body.apiKey.id}`);
    assert.deepEqual([again.status, again.body.apiKey.revokedAt], [200, revoked.body.apiKey.revokedAt]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from flexcharge_mit.audit_entries
      where action = 'api_key.revoked' and target = ${made.body.apiKey.id}`.execute(h.database.db);
    assert.equal(rows[0]?.n, 1, 'revoking twice is recorded once');

    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.equal((await as(keyA, 'delete', `/admin/merchants/${A}/api-keys/${unknown}`)).status, 404);
    assert.equal((await as(keyA, 'delete', `/admin/merchants/${A}/api-keys/nope`)).status, 400);
    const unnamed = await as(keyA, 'post', `/admin/merchants/${A}/api-keys`, { label: 'x' });
    assert.deepEqual([unnamed.status, Object.keys(unnamed.body.error.fields)], [400, ['label']]);
  });

  it("refuses every route of merchant A to merchant B's key, and changes nothing of A", async () => {
    const routes = routesOf(h.plugin.app).filter((r) => !unauthenticated(r.path));
    assert.ok(routes.length >= 25, `only ${routes.length} routes found`);
    const fill = (path: string) =>
      path.replace(/:(\w+)/g, (_, name: string) => {
        const value = {
          merchant: A,
          engine: 'stripe',
          environment: 'production',
          flow: 'mit',
          site: siteIdA,
          id: path.includes('/api-keys/') ? keyIdA : rescueIdA,
          paymentMethodId: 'pm_a',
          invoiceId: 'in_a',
        }[name];
        assert.ok(value, `no value for :${name} in ${path}: add one here`);
        return value;
      });
    // What a partner would send, so only the key's scope can stand in the way.
    const bodyFor = (path: string): object | undefined => {
      if (/\/credentials\//.test(path)) return CREDENTIALS;
      if (/\/flows\//.test(path)) return { mode: 'off', environment: 'sandbox' };
      if (/\/sites/.test(path)) return { url: 'https://globex.test', isDefault: true };
      if (/\/engines\//.test(path)) return { stripeAccountId: 'acct_1Globex' };
      if (/\/api-keys$/.test(path)) return { name: 'planted by globex' };
      if (/\/card-tokens\//.test(path)) return { token: 'tok_globex' };
      if (/^\/admin\/merchants\/:merchant$/.test(path)) return { name: 'Taken over' };
      return undefined;
    };

    const before = await snapshotOfA();
    const answers: string[] = [];
    for (const { method, path } of routes) {
      const res = await as(keyB, method, fill(path), method === 'get' ? undefined : bodyFor(path));
      answers.push(`${method.toUpperCase()} ${path} → ${res.status}`);
      if (method === 'get' && path === '/admin/merchants') {
        assert.deepEqual(
          res.body.merchants.map((m: { id: string }) => m.id),
          [B],
          'a key lists its own merchant only',
        );
        continue;
      }
      if (isPage(path)) {
        assert.deepEqual([res.status, res.headers.location], [303, '/login'], `${method} ${path}`);
        continue;
      }
      // Chosen behaviour: another merchant's routes answer 404 (as for a merchant that does not
      // exist); routes that name no merchant are the partner's and answer 403.
      const expected = path.includes(':merchant') ? 404 : 403;
      assert.equal(res.status, expected, `${method.toUpperCase()} ${path}: ${res.text}`);
    }
    const creation = await as(keyB, 'put', '/admin/merchants/newco', { name: 'New Co' });
    assert.equal(creation.status, 404, "creating a merchant is the partner's only");
    assert.equal((await partner('get', '/admin/merchants/newco')).status, 404);
    assert.equal(await snapshotOfA(), before, `something of ${A} changed:\n${answers.join('\n')}`);
  });

  it('refuses every admin and API route without valid credentials (401), sends pages to the login', async () => {
    const routes = routesOf(h.plugin.app);
    assert.ok(routes.some((r) => r.path === '/healthz'));
    const revoked = await partner('post', `/admin/merchants/${B}/api-keys`, { name: 'short-lived' });
    await partner('delete', `/admin/merchants/${B}/api-keys/${revoked.body.apiKey.id}`).expect(200);
    const forged = `${keyA.slice(0, 17)}${'A'.repeat(43)}`;
    const credentials = [null, 'not-the-token-at-all-0000', forged, revoked.body.key, `${ADMIN_TOKEN}x`];
    for (const { method, path } of routes.filter((r) => !unauthenticated(r.path))) {
      const filled = path.replace(/:(\w+)/g, (_, name: string) => (name === 'merchant' ? A : 'x'));
      for (const credential of credentials) {
        const res = await as(credential, method, filled);
        const expected = isPage(path) ? [303, '/login'] : [401, undefined];
        assert.deepEqual(
          [res.status, res.headers.location],
          expected,
          `${method.toUpperCase()} ${path} with ${credential}`,
        );
        assert.equal(res.headers['cache-control'], 'no-store');
      }
    }
  });

  it('records before and after of flow, site, credentials and key changes, secrets redacted', async () => {
    await partner('put', `/admin/merchants/${A}/flows/mit`, {
      mode: 'shadow',
      environment: 'sandbox',
    }).expect(200);
    await as(keyA, 'put', `/admin/merchants/${A}/sites/${siteIdA}`, {
      url: 'https://shop.acme.test',
      enabled: { mit: false },
      isDefault: true,
    }).expect(200);
    await partner('put', `/admin/merchants/${A}/credentials/production`, ROTATED).expect(200);
    const key = await as(keyA, 'post', `/admin/merchants/${A}/api-keys`, { name: 'audited' }).expect(201);
    await partner('delete', `/admin/merchants/${A}/api-keys/${key.body.apiKey.id}`).expect(200);

    const res = await as(keyA, 'get', `/admin/merchants/${A}/audit?limit=5`);
    assert.equal(res.status, 200);
    const [prefixA] = (KEY_FORMAT.exec(keyA) ?? []).slice(1);
    const [revoke, create, credentials, site, flow] = res.body.entries;
    assert.deepEqual(
      res.body.entries.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`),
      [
        'api_key.revoked by partner',
        `api_key.created by key:${prefixA}`,
        'credentials.updated by partner',
        `site.updated by key:${prefixA}`,
        'flow.updated by partner',
      ],
    );
    assert.deepEqual(
      [flow.target, flow.before.mode, flow.before.environment, flow.after.mode, flow.after.environment],
      ['mit', 'on', 'production', 'shadow', 'sandbox'],
    );
    assert.deepEqual(
      [
        site.target,
        site.before.enabled.mit,
        site.before.isDefault,
        site.after.enabled.mit,
        site.after.isDefault,
      ],
      [siteIdA, true, false, false, true],
    );
    assert.deepEqual(
      [credentials.target, credentials.before.appSecret.last4, credentials.after.appSecret.last4],
      ['production', '6a7b', '7x6w'],
    );
    assert.equal(typeof credentials.after.appSecret.keyId, 'string');
    assert.deepEqual(
      [create.target, create.before, create.after.name, create.after.revokedAt],
      [key.body.apiKey.id, null, 'audited', null],
    );
    assert.deepEqual([revoke.before.revokedAt, revoke.after.revokedAt], [null, h.clock.now().toISOString()]);

    // Older pages, by cursor, until the first entry: the merchant's creation.
    const seen = res.body.entries.map((e: { id: number }) => e.id);
    let cursor = res.body.nextBefore;
    while (cursor !== null) {
      const page = await as(keyA, 'get', `/admin/merchants/${A}/audit?before=${cursor}&limit=3`).expect(200);
      seen.push(...page.body.entries.map((e: { id: number }) => e.id));
      cursor = page.body.nextBefore;
      if (cursor === null) assert.equal(page.body.entries.at(-1)?.action, 'merchant.created');
    }
    assert.deepEqual(
      seen,
      [...seen].sort((x, y) => y - x),
      'newest first, no repeats',
    );
    assert.equal(new Set(seen).size, seen.length);
    const bad = await as(keyA, 'get', `/admin/merchants/${A}/audit?limit=0`);
    assert.equal(bad.status, 400);

    const { rows } = await sql<{
      row: string;
    }>`select a::text as row from flexcharge_mit.audit_entries a`.execute(h.database.db);
    assert.ok(rows.some((r) => r.row.includes('engine.updated') && r.row.includes('Rq5P')));
    for (const secret of SECRETS)
      for (const { row } of rows)
        assert.equal(row.includes(secret), false, `a secret in the audit log: ${row}`);
  });

  it('keeps the audit log append-only: UPDATE, DELETE and TRUNCATE fail', async () => {
    const db = h.database.db;
    await assert.rejects(
      sql`update flexcharge_mit.audit_entries set actor = 'partner'`.execute(db),
      /append-only/,
    );
    await assert.rejects(sql`delete from flexcharge_mit.audit_entries`.execute(db), /append-only/);
    await assert.rejects(sql`truncate flexcharge_mit.audit_entries`.execute(db), /append-only/);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from flexcharge_mit.audit_entries`.execute(db);
    assert.ok((rows[0]?.n ?? 0) > 5);
  });
});
