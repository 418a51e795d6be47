import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createAccess } from '../../plugin/http/admin-auth.js';
import { createApp } from '../../plugin/http/create-app.js';
import { createOnboardingChecks } from '../../plugin/http/onboarding-checks.js';
import { pageRoutes } from '../../plugin/http/pages/page-routes.js';
import { createApiKeyRepository } from '../../plugin/storage/api-key-repository.js';
import { createAuditLog } from '../../plugin/storage/audit-log.js';
import { createMerchantChanges } from '../../plugin/storage/merchant-changes.js';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { createSessionRepository } from '../../plugin/storage/session-repository.js';
import { routesOf } from '../support/app-routes.js';
import { ADMIN_TOKEN, type HttpHarness, startHttpHarness } from './http-harness.js';

/** The value at a dotted path of an object (an audit entry's `after.appSecret.last4`), or undefined. */
const valueAt = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], value);

const A = 'acme';
const B = 'globex';
const CREDENTIALS = {
  appKey: 'pages-appkey-4c1d9e7f3a2b',
  appSecret: 'pages-appsecret-9f8e7d6c5b4a3210',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
  webhookKey: Buffer.from('pages-subscriber-key-of-the-portal').toString('base64'),
};
const STRIPE = { apiKey: 'rk_live_PagesZx9Yw8Vu7Ts6', webhookSecret: 'whsec_PagesQ1w2E3r4T5y6' };
const SECRETS = [CREDENTIALS.appKey, CREDENTIALS.appSecret, CREDENTIALS.webhookKey, ...Object.values(STRIPE)];

const csrfOf = (page: string) => {
  const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, 'no CSRF token on the page');
  return token;
};

describe('onboarding pages: login, sessions, CSRF and the merchant forms', () => {
  let h: HttpHarness;
  let keyA: string;
  let prefixA: string;
  let rescueIdA: string;
  let keyB: string;
  const partner = (method: 'get' | 'put' | 'post', path: string, body?: object) => {
    const req = h.http[method](path).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    return body ? req.send(body) : req;
  };

  /** A browser signed in with `password`, and the CSRF token of its session. */
  async function signedIn(password: string) {
    const agent = request.agent(h.plugin.url);
    const login = await agent.post('/login').type('form').send({ password });
    assert.equal(login.status, 303, login.text);
    const page = await agent.get('/merchants').redirects(1);
    assert.equal(page.status, 200);
    return { agent, csrf: csrfOf(page.text) };
  }

  before(async () => {
    h = await startHttpHarness();
    for (const id of [A, B])
      await partner('put', `/admin/merchants/${id}`, { name: `${id} inc` }).expect(201);
    await partner('put', `/admin/merchants/${A}/flows/mit`, {
      mode: 'shadow',
      environment: 'sandbox',
    }).expect(200);
    await partner('put', `/admin/merchants/${A}/engines/stripe`, STRIPE).expect(200);
    const key = await partner('post', `/admin/merchants/${A}/api-keys`, { name: 'pages' }).expect(201);
    keyA = key.body.key;
    keyB = (await partner('post', `/admin/merchants/${B}/api-keys`, { name: 'pages b' }).expect(201)).body
      .key;
    prefixA = key.body.apiKey.prefix;
    const now = h.clock.now();
    rescueIdA = (
      await createRescueRepository(h.database.db).createIfAbsent({
        merchantId: A,
        engine: 'stripe',
        invoiceId: 'in_pages_<b>',
        failedAt: now,
        now,
      })
    ).id;
  });
  after(() => h.close());

  it('shows the login page with a CSP allowing styles from self only, and its stylesheet', async () => {
    const page = await h.http.get('/login');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.text, /<meta name="viewport"/);
    assert.match(page.text, /type="password" [^>]*name="password"/);
    const csp = page.headers['content-security-policy'] ?? '';
    assert.match(csp, /(^|;)style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|https:/);
    // With helmet's no-referrer a browser's login form would carry `Origin: null`, refused as cross-site.
    assert.equal(page.headers['referrer-policy'], 'same-origin');
    const css = await h.http.get('/assets/pages.css');
    assert.deepEqual([css.status, css.type], [200, 'text/css']);
  });

  it('signs in with the partner token, sets a HttpOnly SameSite=Strict cookie, and signs out', async () => {
    const agent = request.agent(h.plugin.url);
    const login = await agent.post('/login').type('form').send({ password: ADMIN_TOKEN });
    assert.deepEqual([login.status, login.headers.location], [303, '/merchants']);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0] ?? '';
    assert.match(cookie, /^fcm_session=[A-Za-z0-9_-]{43}; /);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'FLEXCHARGE_ENV=local serves plain HTTP');
    const token = /^fcm_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const { rows } = await sql<{ row: string }>`
      select s::text as row from flexcharge_mit.admin_sessions s`.execute(h.database.db);
    assert.ok(rows.length > 0);
    for (const { row } of rows) assert.equal(row.includes(token), false, 'the session token stored');

    const list = await agent.get('/merchants');
    assert.equal(list.status, 200);
    assert.match(list.text, /acme inc/);
    assert.match(list.text, /globex inc/);
    assert.match(list.text, /mit: shadow \/ sandbox/);
    assert.equal(list.headers['cache-control'], 'no-store');

    const out = await agent
      .post('/logout')
      .type('form')
      .send({ csrf: csrfOf(list.text) });
    assert.deepEqual([out.status, out.headers.location], [303, '/login']);
    assert.match(String(out.headers['set-cookie']), /fcm_session=; .*Max-Age=0/);
    const again = await request(h.plugin.url).get('/merchants').set('cookie', `fcm_session=${token}`);
    assert.deepEqual([again.status, again.headers.location], [303, '/login'], 'the session ended');
  });

  it('refuses a wrong password with the login page again, and no cookie', async () => {
    // The key with its last character changed (never to itself).
    const altered = `${keyA.slice(0, -1)}${keyA.endsWith('A') ? 'B' : 'A'}`;
    for (const password of ['', 'wrong', `${ADMIN_TOKEN}x`, altered]) {
      const res = await h.http.post('/login').type('form').send({ password });
      assert.equal(res.status, 401, password);
      assert.equal(res.headers['set-cookie'], undefined);
      assert.match(res.text, /not valid/);
    }
  });

  it("takes a merchant's key as password: its own page only, others answer 404", async () => {
    const { agent } = await signedIn(keyA);
    const list = await agent.get('/merchants');
    assert.deepEqual([list.status, list.headers.location], [303, `/merchants/${A}`]);
    assert.equal((await agent.get(`/merchants/${A}`)).status, 200);
    for (const path of [`/merchants/${B}`, `/merchants/nobody`, `/merchants/${B}/rescues/${rescueIdA}`]) {
      const res = await agent.get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /globex inc/);
    }
  });

  it('refuses a form without the session CSRF token (403) and changes nothing', async () => {
    const { agent, csrf } = await signedIn(ADMIN_TOKEN);
    const entries = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from flexcharge_mit.audit_entries`.execute(
          h.database.db,
        )
      ).rows[0]?.n;
    const before = await entries();
    for (const body of [{}, { csrf: '' }, { csrf: `${csrf.slice(0, -1)}x` }, { csrf: `${csrf}x` }]) {
      const res = await agent
        .post(`/merchants/${A}/flows/mit`)
        .type('form')
        .send({ mode: 'off', environment: 'production', ...body });
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.match(res.text, /<html/);
    }
    const other = await signedIn(ADMIN_TOKEN);
    const foreign = await agent
      .post(`/merchants/${A}/flows/mit`)
      .type('form')
      .send({ mode: 'off', environment: 'production', csrf: other.csrf });
    assert.equal(foreign.status, 403, "another session's token");
    assert.equal(await entries(), before);
  });

  it('switches a flow through its form, audited with the session as actor', async () => {
    const { agent, csrf } = await signedIn(keyA);
    const res = await agent
      .post(`/merchants/${A}/flows/cit_website`)
      .type('form')
      .send({ mode: 'on', environment: 'production', csrf });
    assert.deepEqual([res.status, res.headers.location], [303, `/merchants/${A}`]);
    const [entry] = await createAuditLog(h.database.db).list(A, { limit: 1 });
    assert.deepEqual(
      [entry?.action, entry?.actor, entry?.target],
      ['flow.updated', `key:${prefixA}`, 'cit_website'],
    );
    assert.deepEqual(
      [
        (entry?.after as { mode?: string } | undefined)?.mode,
        (entry?.after as { environment?: string } | undefined)?.environment,
      ],
      ['on', 'production'],
    );
    const page = await agent.get(`/merchants/${A}`);
    assert.match(page.text, new RegExp(`key:${prefixA}</td><td[^>]*>flow.updated`));
  });

  it('adds a site and switches its flows; a bad site form shows the error at its field', async () => {
    const { agent, csrf } = await signedIn(ADMIN_TOKEN);
    const bad = await agent
      .post(`/merchants/${A}/sites`)
      .type('form')
      .send({ url: 'ftp://shop.acme.test', 'flexchargeSiteIds.sandbox': 'not-a-guid', csrf });
    assert.equal(bad.status, 400);
    assert.match(
      bad.text,
      /name="url" value="ftp:\/\/shop.acme.test">\s*<span class="error">must be an http\(s\) URL/,
    );
    assert.match(
      bad.text,
      /name="flexchargeSiteIds.sandbox" value="not-a-guid">\s*<span class="error">must be a GUID/,
    );
    const empty = await agent.post(`/merchants/${A}/sites`).type('form').send({ csrf });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /<span class="error">a site needs a url/);

    const ok = await agent
      .post(`/merchants/${A}/sites`)
      .type('form')
      .send({ url: 'https://shop.acme.test', statementDescriptor: 'ACME', isDefault: 'on', csrf });
    assert.equal(ok.status, 303, ok.text);
    const site = (await createMerchantRepository(h.database.db, h.plugin.secrets).getMerchant(A))?.sites[0];
    assert.ok(site);
    assert.deepEqual([site.isDefault, site.enabled.mit], [true, true]);
    const switched = await agent
      .post(`/merchants/${A}/sites/${site.id}/flows`)
      .type('form')
      .send({ 'enabled.cit_website': 'on', csrf });
    assert.equal(switched.status, 303, switched.text);
    const after = (await createMerchantRepository(h.database.db, h.plugin.secrets).getMerchant(A))?.sites[0];
    assert.deepEqual(after?.enabled, { mit: false, cit_website: true, cit_call_center: false });
    assert.deepEqual(
      [after?.url, after?.statementDescriptor, after?.isDefault],
      ['https://shop.acme.test', 'ACME', true],
    );
    const [entry] = await createAuditLog(h.database.db).list(A, { limit: 1 });
    assert.deepEqual([entry?.action, entry?.actor, entry?.target], ['site.updated', 'partner', site.id]);
  });

  it('never shows a credential secret: set through the form, then every page searched', async () => {
    const { agent, csrf } = await signedIn(ADMIN_TOKEN);
    const refused = await agent
      .post(`/merchants/${A}/credentials/production`)
      .type('form')
      .send({ ...CREDENTIALS, mid: 'not-a-guid', csrf });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /name="mid" value="not-a-guid">\s*<span class="error">must be a GUID/);
    const set = await agent
      .post(`/merchants/${A}/credentials/production`)
      .type('form')
      .send({ ...CREDENTIALS, csrf });
    assert.equal(set.status, 303, set.text);
    const [entry] = await createAuditLog(h.database.db).list(A, { limit: 1 });
    assert.deepEqual([entry?.action, entry?.actor], ['credentials.updated', 'partner']);

    const pages = [refused.text];
    for (const path of ['/login', '/merchants', `/merchants/${A}`, `/merchants/${A}/rescues/${rescueIdA}`]) {
      const res = await agent.get(path);
      assert.equal(res.status, 200, path);
      pages.push(res.text);
    }
    const merchantPage = pages[3] ?? '';
    assert.match(merchantPage, /app secret <code>••••3210<\/code>/, 'the app secret by its last four');
    assert.match(merchantPage, /<code>••••7Ts6<\/code>/, 'the Stripe key by its last four');
    assert.match(pages[2] ?? '', /production: yes/);
    assert.match(pages[4] ?? '', /in_pages_&lt;b&gt;/, 'escaped');
    assert.doesNotMatch(pages[4] ?? '', /in_pages_<b>/);
    for (const page of pages)
      for (const secret of SECRETS)
        assert.equal(page.includes(secret), false, `a secret on a page: ${secret}`);
  });

  it('sends every page to the login page without a session', async () => {
    const paths = [
      ['get', '/merchants'],
      ['get', `/merchants/${A}`],
      ['get', `/merchants/${A}/rescues/${rescueIdA}`],
      ['post', `/merchants/${A}/flows/mit`],
      ['post', `/merchants/${A}/sites`],
      ['post', `/merchants/${A}/sites/00000000-0000-4000-8000-000000000000/flows`],
      ['post', `/merchants/${A}/credentials/production`],
      ['post', '/logout'],
    ] as const;
    for (const [method, path] of paths)
      for (const cookie of [null, 'fcm_session=forged', `fcm_session=${'A'.repeat(43)}`]) {
        let req = h.http[method](path);
        if (cookie) req = req.set('cookie', cookie);
        const res = await req.set('authorization', `Bearer ${ADMIN_TOKEN}`);
        assert.deepEqual([res.status, res.headers.location], [303, '/login'], `${method} ${path} ${cookie}`);
      }
  });

  it("ends a merchant's session when its key is revoked", async () => {
    const made = await partner('post', `/admin/merchants/${A}/api-keys`, { name: 'short' }).expect(201);
    const { agent } = await signedIn(made.body.key);
    await h.http
      .delete(`/admin/merchants/${A}/api-keys/${made.body.apiKey.id}`)
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .expect(200);
    const res = await agent.get(`/merchants/${A}`);
    assert.deepEqual([res.status, res.headers.location], [303, '/login']);
  });

  it("refuses every page of merchant A to merchant B's session (404), and changes nothing of A", async () => {
    const siteId = (
      await partner('post', `/admin/merchants/${A}/sites`, { url: 'https://guarded.acme.test' }).expect(201)
    ).body.site.id as string;
    const keyIdA = (await partner('get', `/admin/merchants/${A}/api-keys`).expect(200)).body.apiKeys[0].id;
    const stateOfA = async () =>
      JSON.stringify([
        await createMerchantRepository(h.database.db, h.plugin.secrets).getMerchant(A),
        await createAuditLog(h.database.db).list(A, { limit: 200 }),
        (await partner('get', `/admin/merchants/${A}/api-keys`)).body,
      ]);
    const before = await stateOfA();
    const { agent, csrf } = await signedIn(keyB);
    const routes = routesOf(h.plugin.app).filter((r) => r.path.startsWith('/merchants/:merchant'));
    assert.ok(routes.length >= 14, `only ${routes.length} page routes`);
    for (const { method, path } of routes) {
      const filled = path.replace(/:(\w+)/g, (_, name: string) => {
        const value = {
          merchant: A,
          site: siteId,
          environment: 'sandbox',
          flow: 'mit',
          engine: 'stripe',
          id: path.includes('/api-keys/') ? keyIdA : rescueIdA,
        }[name];
        assert.ok(value, `no value for :${name} in ${path}: add one here`);
        return value;
      });
      const res =
        method === 'get'
          ? await agent.get(filled)
          : await agent
              .post(filled)
              .type('form')
              .send({ csrf, name: 'Taken over', mode: 'off', environment: 'sandbox', url: 'https://b.test' });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.doesNotMatch(res.text, /acme inc/);
    }
    const creation = await agent.post('/merchants').type('form').send({ csrf, id: 'newco', name: 'New Co' });
    assert.equal(creation.status, 403, "creating a merchant is the partner's");
    assert.equal((await partner('get', '/admin/merchants/newco')).status, 404);
    assert.equal(await stateOfA(), before);
    await h.http
      .delete(`/admin/merchants/${A}/sites/${siteId}`)
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .expect(200);
  });

  it('renames, connects Stripe, removes credentials, edits and deletes a site, makes and revokes a key: each audited', async () => {
    const { agent, csrf } = await signedIn(ADMIN_TOKEN);
    const post = (path: string, body: Record<string, string>) =>
      agent
        .post(`/merchants/${A}${path}`)
        .type('form')
        .send({ csrf, ...body });
    const latest = async () => (await createAuditLog(h.database.db).list(A, { limit: 1 }))[0];

    const badName = await post('', { name: 'Acme Renamed', siteMetadataKey: 'bad[key]' });
    assert.equal(badName.status, 400);
    assert.match(
      badName.text,
      /name="siteMetadataKey" value="bad\[key\]">\s*<span class="error">must not contain/,
    );
    assert.equal((await post('', { name: 'Acme Renamed' })).status, 303);
    const renamed = await latest();
    assert.deepEqual(
      [renamed?.action, valueAt(renamed, 'before.name'), valueAt(renamed, 'after.name')],
      ['merchant.updated', 'acme inc', 'Acme Renamed'],
    );

    const badStripe = await post('/engines/stripe', {
      apiKey: 'pk_test_public',
      webhookSecret: STRIPE.webhookSecret,
    });
    assert.equal(badStripe.status, 400);
    assert.match(
      badStripe.text,
      /name="apiKey" value="" autocomplete="new-password">\s*<span class="error">must be a Stripe secret/,
    );
    assert.equal(badStripe.text.includes(STRIPE.webhookSecret), false, 'a typed secret is not shown again');

    // The write-back mode is part of the connection the form saves, and shown beside it.
    assert.equal((await post('/engines/stripe', { ...STRIPE, writeBackMode: 'payment_record' })).status, 303);
    const connected = await latest();
    assert.deepEqual(
      [connected?.action, valueAt(connected, 'after.writeBackMode')],
      ['engine.updated', 'payment_record'],
    );

    // Credentials a flow runs on are not removed: the refusal is shown at their form.
    await partner('put', `/admin/merchants/${A}/credentials/sandbox`, CREDENTIALS).expect(200);
    const refused = await post('/credentials/sandbox/remove', {});
    assert.equal(refused.status, 409);
    assert.match(refused.text, /flow mit of merchant acme runs in sandbox/);
    assert.equal((await post('/flows/mit', { mode: 'off', environment: 'sandbox' })).status, 303);
    assert.equal((await post('/credentials/sandbox/remove', {})).status, 303);
    const removed = await latest();
    assert.deepEqual(
      [removed?.action, removed?.target, valueAt(removed, 'before.mid'), removed?.after],
      ['credentials.removed', 'sandbox', CREDENTIALS.mid, null],
    );

    const site = (
      await partner('post', `/admin/merchants/${A}/sites`, { url: 'https://old.acme.test' }).expect(201)
    ).body.site.id as string;
    const bad = await post(`/sites/${site}`, { url: 'nope' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="site-edit-[^"]+-url" name="url" value="nope">\s*<span class="error">/);
    assert.equal(
      (await post(`/sites/${site}`, { url: 'https://new.acme.test', 'enabled.mit': 'on' })).status,
      303,
    );
    const edited = await latest();
    assert.deepEqual(
      [edited?.action, valueAt(edited, 'before.url'), valueAt(edited, 'after.url')],
      ['site.updated', 'https://old.acme.test', 'https://new.acme.test'],
    );
    assert.deepEqual(valueAt(edited, 'after.enabled'), {
      mit: true,
      cit_website: false,
      cit_call_center: false,
    });
    assert.equal((await post(`/sites/${site}/delete`, {})).status, 303);
    const deleted = await latest();
    assert.deepEqual([deleted?.action, deleted?.target, deleted?.after], ['site.deleted', site, null]);

    const unnamed = await post('/api-keys', { name: ' ' });
    assert.equal(unnamed.status, 400);
    assert.match(unnamed.text, /name="name" value=" ">\s*<span class="error">must not be empty/);
    const made = await post('/api-keys', { name: 'ops' });
    assert.equal(made.status, 201);
    assert.equal(made.headers['cache-control'], 'no-store');
    const key = /id="new-api-key">([^<]+)</.exec(made.text)?.[1] ?? '';
    assert.match(key, /^fcm_[0-9a-f]{12}_/);
    const page = await agent.get(`/merchants/${A}`);
    assert.equal(page.text.includes(key.slice(17)), false, 'a key is shown once');
    const listed = (await partner('get', `/admin/merchants/${A}/api-keys`).expect(200)).body.apiKeys;
    const id = listed.find((k: { name: string }) => k.name === 'ops')?.id;
    assert.match(
      page.text,
      new RegExp(`action="/merchants/acme/api-keys/${id}/revoke"`),
      'its revoke button',
    );
    assert.ok(id);
    assert.equal((await post(`/api-keys/${id}/revoke`, {})).status, 303);
    const revoked = await latest();
    assert.deepEqual(
      [revoked?.action, valueAt(revoked, 'before.revokedAt'), typeof valueAt(revoked, 'after.revokedAt')],
      ['api_key.revoked', null, 'string'],
    );
    assert.equal(
      (await request(h.plugin.url).get(`/admin/merchants/${A}`).auth(key, { type: 'bearer' })).status,
      401,
    );
  });

  it('ends a session after 12 hours without a request', async () => {
    const { agent } = await signedIn(ADMIN_TOKEN);
    h.clock.advance(11 * 60 * 60 * 1000);
    assert.equal((await agent.get('/merchants')).status, 200, 'used within 12 h: kept, and extended');
    h.clock.advance(11 * 60 * 60 * 1000);
    assert.equal((await agent.get('/merchants')).status, 200);
    h.clock.advance(12 * 60 * 60 * 1000 + 1000);
    assert.equal((await agent.get('/merchants')).status, 303);
  });
});

describe('onboarding pages: login rate limit and Secure cookies', () => {
  it('answers 429 with Retry-After after 10 failures from one address in 15 minutes', async () => {
    const h = await startHttpHarness();
    try {
      const clock = new ManualClock('2026-05-04T10:00:00Z');
      const db = h.database.db;
      const access = createAccess({ adminToken: ADMIN_TOKEN, apiKeys: null, clock });
      const app = createApp({
        database: h.database,
        logger: silentLogger,
        routers: [
          pageRoutes({
            access,
            sessions: createSessionRepository(db),
            merchants: createMerchantRepository(db, h.plugin.secrets),
            changes: createMerchantChanges(db, h.plugin.secrets),
            rescues: createRescueRepository(db),
            audit: createAuditLog(db),
            apiKeys: createApiKeyRepository(db),
            checks: createOnboardingChecks({
              db,
              merchants: createMerchantRepository(db, h.plugin.secrets),
              hosts: h.plugin.flexcharge.hosts,
              clock,
              environmentMerchantId: 'default',
            }),
            clock,
            logger: silentLogger,
            secureCookies: true,
          }),
        ],
      });
      const login = (password: string) => request(app).post('/login').type('form').send({ password });
      const ok = await login(ADMIN_TOKEN);
      assert.equal(ok.status, 303);
      assert.match(String(ok.headers['set-cookie']), /; Secure/);
      for (let i = 0; i < 10; i++) {
        assert.equal((await login(`wrong-${i}`)).status, 401);
        clock.advance(1000);
      }
      const limited = await login(ADMIN_TOKEN);
      assert.equal(limited.status, 429, 'even the right token, once limited');
      assert.equal(limited.headers['set-cookie'], undefined);
      assert.equal(limited.headers['retry-after'], String(15 * 60 - 10));
      clock.advance((15 * 60 - 10) * 1000);
      assert.equal((await login(ADMIN_TOKEN)).status, 303, 'the oldest failure fell out of the window');
      const cross = await request(app)
        .post('/login')
        .set('origin', 'https://evil.example')
        .type('form')
        .send({ password: ADMIN_TOKEN });
      assert.equal(cross.status, 403, 'a login posted from another site');
    } finally {
      await h.close();
    }
  });
});
