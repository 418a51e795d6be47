import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { ADMIN_TOKEN, type HttpHarness, startHttpHarness } from './http-harness.js';

const BOGUS = {
  appKey: 'production/unknown-app-key-123456',
  appSecret: 'unknown-app-secret-abcdefabcdef',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
};

type Check = { id: string; ok: boolean; kind: string; detail: string };

describe("a merchant's readiness checklist and the test of its credentials", () => {
  let h: HttpHarness;
  const call = (method: 'get' | 'put' | 'post', path: string, body?: object) => {
    const req = h.http[method](path).auth(ADMIN_TOKEN, { type: 'bearer' });
    return body ? req.send(body) : req;
  };
  const readiness = async () => {
    const res = await call('get', '/admin/merchants/shop/readiness').expect(200);
    return res.body as { ready: boolean; checks: Check[]; missing: string[] };
  };
  const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id);

  before(async () => {
    h = await startHttpHarness();
    await call('put', '/admin/merchants/shop', { name: 'Shop' }).expect(201);
  });
  after(() => h.close());

  it('lists what is missing for a new merchant, and is not ready', async () => {
    const r = await readiness();
    assert.equal(r.ready, false);
    assert.equal(byId(r.checks, 'flows')?.ok, false);
    assert.equal(byId(r.checks, 'stripe_connection')?.ok, false);
    assert.equal(byId(r.checks, 'sites')?.ok, false);
    assert.ok(r.missing.some((m) => m.includes('every flow is off')));
  });

  it('tests credentials against the environment host: the demo account is accepted, unknown ones refused', async () => {
    await call('put', '/admin/merchants/shop/credentials/sandbox', {
      appKey: DEMO_CREDENTIAL.appKey,
      appSecret: DEMO_CREDENTIAL.appSecret,
      mid: DEMO_CREDENTIAL.mid,
    }).expect(200);
    await call('put', '/admin/merchants/shop/credentials/production', BOGUS).expect(200);
    await call('put', '/admin/merchants/shop/flows/mit', { mode: 'on', environment: 'sandbox' }).expect(200);
    await call('put', '/admin/merchants/shop/flows/cit_website', {
      mode: 'shadow',
      environment: 'production',
    }).expect(200);

    let r = await readiness();
    assert.equal(byId(r.checks, 'credentials_sandbox')?.ok, true);
    assert.match(byId(r.checks, 'connection_sandbox')?.detail ?? '', /not tested/);

    const good = await call('post', '/admin/merchants/shop/credentials/sandbox/test').expect(200);
    assert.equal(good.body.ok, true);
    const bad = await call('post', '/admin/merchants/shop/credentials/production/test').expect(200);
    assert.equal(bad.body.ok, false);
    assert.match(bad.body.message, /refused/);
    for (const secret of [BOGUS.appKey, BOGUS.appSecret, DEMO_CREDENTIAL.appSecret])
      assert.ok(!JSON.stringify([good.body, bad.body]).includes(secret), 'a secret in the answer');

    r = await readiness();
    assert.equal(byId(r.checks, 'connection_sandbox')?.ok, true);
    assert.equal(byId(r.checks, 'connection_production')?.ok, false);
    assert.equal(byId(r.checks, 'webhook_key_sandbox')?.ok, false, 'no webhook key given');
    assert.equal(byId(r.checks, 'stripe_webhooks')?.kind, 'traffic');

    // Changing the credentials makes the last test stale.
    h.clock.advance(1_000);
    await call('put', '/admin/merchants/shop/credentials/sandbox', {
      appKey: DEMO_CREDENTIAL.appKey,
      appSecret: DEMO_CREDENTIAL.appSecret,
      mid: DEMO_CREDENTIAL.mid,
      webhookKey: Buffer.from('portal-subscriber-key').toString('base64'),
    }).expect(200);
    assert.match(byId((await readiness()).checks, 'connection_sandbox')?.detail ?? '', /not tested/);
  });

  it('is ready once every setup check passes; webhooks not yet seen do not hold it back', async () => {
    await call('put', '/admin/merchants/shop/flows/cit_website', {
      mode: 'off',
      environment: 'sandbox',
    }).expect(200);
    await call('post', '/admin/merchants/shop/credentials/sandbox/test').expect(200);
    await call('put', '/admin/merchants/shop/engines/stripe', { apiKey: 'sk_test_shopkey123' }).expect(200);
    await call('post', '/admin/merchants/shop/sites', { url: 'https://shop.example.com' }).expect(201);
    const r = await readiness();
    assert.deepEqual(
      r.checks.filter((c) => !c.ok).map((c) => c.id),
      ['stripe_webhooks', 'flexcharge_webhooks'],
    );
    assert.equal(r.ready, true);
  });

  it('answers 404 for credentials never set and for an unknown merchant', async () => {
    await call('post', '/admin/merchants/nobody/credentials/sandbox/test').expect(404);
    await call('put', '/admin/merchants/empty', { name: 'Empty' }).expect(201);
    await call('post', '/admin/merchants/empty/credentials/sandbox/test').expect(404);
    await call('post', '/admin/merchants/empty/credentials/staging/test').expect(400);
  });
});
