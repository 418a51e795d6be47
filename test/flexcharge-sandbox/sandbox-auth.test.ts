import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { tokenResponseSchema } from '../../adapters/flexcharge/wire/responses.js';
import { accessToken, newSandbox } from './sandbox-test-kit.js';

function jwtPayload(jwt: string): Record<string, unknown> {
  const [header, payload, signature] = jwt.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), {
    alg: 'HS256',
    typ: 'JWT',
  });
  assert.ok(signature);
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
}

describe('sandbox /oauth2/token', () => {
  it('issues a JWT-shaped token carrying the merchant id, expiring ten minutes later on the sandbox clock', async () => {
    const { api, clock } = newSandbox();
    const response = await api
      .post('/v1/oauth2/token')
      .send({ AppKey: DEMO_CREDENTIAL.appKey, AppSecret: DEMO_CREDENTIAL.appSecret })
      .expect(200);
    const body = tokenResponseSchema.parse(response.body);
    assert.equal(body.expires, clock.now().getTime() + 600_000);
    assert.equal(body.success, true);
    assert.deepEqual(body.errors, []);
    assert.ok(body.refreshToken);
    const claims = jwtPayload(body.accessToken);
    assert.equal(claims['custom:mid'], DEMO_CREDENTIAL.mid);
    assert.equal(claims.sub, body.id);
    assert.equal(Number(claims.exp) - Number(claims.nbf), 600);
    assert.equal(claims.iss, 'Api-Client-Service');
  });

  it('accepts the credentials in camelCase as the vendor sample sends them', async () => {
    const { api } = newSandbox();
    await api
      .post('/v1/oauth2/token')
      .send({ appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret })
      .expect(200);
  });

  it('refuses a wrong secret with 400', async () => {
    const { api } = newSandbox();
    const response = await api
      .post('/v1/oauth2/token')
      .send({ AppKey: DEMO_CREDENTIAL.appKey, AppSecret: 'wrong' })
      .expect(400);
    assert.equal(response.body.status, 400);
    assert.ok(response.body.errors.AppKey);
  });

  it('names a missing AppSecret in a validation body', async () => {
    const { api } = newSandbox();
    const response = await api.post('/v1/oauth2/token').send({ AppKey: DEMO_CREDENTIAL.appKey }).expect(400);
    assert.deepEqual(response.body.errors, { AppSecret: ['The AppSecret field is required.'] });
  });

  it('uses the configured token lifetime', async () => {
    const { api, clock } = newSandbox({ tokenTtlMs: 60_000 });
    const response = await api
      .post('/v1/oauth2/token')
      .send({ AppKey: DEMO_CREDENTIAL.appKey, AppSecret: DEMO_CREDENTIAL.appSecret });
    assert.equal(response.body.expires, clock.now().getTime() + 60_000);
  });
});

describe('sandbox bearer authentication', () => {
  const outcome = { orderSessionKey: '00000000-0000-4000-8000-000000000000' };

  it('answers 401 with an empty body when no token is sent', async () => {
    const { api } = newSandbox();
    const response = await api.post('/v1/outcome').send(outcome).expect(401);
    assert.equal(response.text, '');
    assert.equal(response.headers['www-authenticate'], 'Bearer');
  });

  it('answers 401 to a token it never issued', async () => {
    const { api } = newSandbox();
    const forged = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"custom:mid":"x"}').toString('base64url')}.sig`;
    const response = await api.post('/v1/outcome').auth(forged, { type: 'bearer' }).send(outcome).expect(401);
    assert.match(response.headers['www-authenticate'] ?? '', /invalid_token/);
  });

  it('answers 401 once the token has expired on the sandbox clock', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    clock.advance(599_000);
    await api.post('/v1/outcome').auth(token, { type: 'bearer' }).send(outcome).expect(200);
    clock.advance(1_000);
    await api.post('/v1/outcome').auth(token, { type: 'bearer' }).send(outcome).expect(401);
  });

  it('answers 401 to revoked tokens and accepts a freshly issued one', async () => {
    const { api, sandbox } = newSandbox();
    const token = await accessToken(api);
    sandbox.revokeTokens();
    await api.post('/v1/outcome').auth(token, { type: 'bearer' }).send(outcome).expect(401);
    const renewed = await accessToken(api);
    await api.post('/v1/outcome').auth(renewed, { type: 'bearer' }).send(outcome).expect(200);
  });

  it('does not accept a token issued by another sandbox', async () => {
    const first = newSandbox();
    const second = newSandbox();
    const token = await accessToken(first.api);
    await second.api.post('/v1/outcome').auth(token, { type: 'bearer' }).send(outcome).expect(401);
  });

  it('puts a W3C-style trace id on every response', async () => {
    const { api } = newSandbox();
    const response = await api.post('/v1/outcome').send(outcome);
    assert.match(response.headers['x-trace-id'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
