import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signWebhook, verifyWebhookSignature } from '../adapters/flexcharge/webhook-signature.js';
import { SignatureError } from '../plugin/core/errors.js';

// The contract's published test vector (flexcharge-api.md §9.4).
const vector = {
  subscriberKey: 'XRmKBxG5uvt1qWzqvp+T6CAbTo0MB89GTxXZD5cHA56RP7Mj4NbnHQOR1Y8uorUU9YQz8ujaVRUdm9vTSkPZSw==',
  host: 'fctestwebhook.free.beeceptor.com',
  nonce: '5f1c2de28a76457c9cb79d1740f2260a',
  date: 'Mon, 20 Mar 2023 17:16:40 GMT',
  body: '{"Event":"order.completed","TimeStamp":"2023-03-20T17:16:40.898703Z","EventData":null,"ExternalOrderId":"a9735210-1349-49bf-bfde-b737dd07872a","OrderId":"ac9674ed-cbfe-49aa-bc8b-eb1d2b74c429","ConfirmationId":"22ACD1D9","IsTestMode":true,"IsResent":false}',
  contentHash: 'pLs0Op5VWqQM3ZIumqC2NP6MDqcnwFN1znp/oCuw9LcYd8PtvLC8ProyPg8ZDadsRc36NskT3QGKn/PkNqwWfg==',
  signature: '+HXN8ZewgINLk+uC/UI92HSWmLK7gZOECPxOGEM91ATyfyzScMF/+osEK5B0UjO7OFqahDvesSo8jmUWMZtQnA==',
  bodySignature: 'SbzcEwAKsViWqrB8+suZMjOdadswbUjLHtIKjDQJYle31xbB8Vr0pVTDaNP28/y+NDynpyFyKKnXmWZy8uJVig==',
};
const signedAt = new Date('2023-03-20T17:16:40Z');

describe('FlexCharge webhook signature', () => {
  it('reproduces the published test vector byte for byte', () => {
    assert.equal(Buffer.byteLength(vector.body), 255);
    const headers = signWebhook(vector);
    assert.equal(headers['x-fc-content-sha512'], vector.contentHash);
    assert.equal(
      headers['x-fc-authorization'],
      `HMAC-SHA512 SignedHeaders=x-fc-nonce;x-fc-date;host;x-fc-content-sha512&Signature=${vector.signature}`,
    );
    assert.equal(headers['x-fc-signature'], vector.bodySignature);
  });

  it('verifies the published sample when the clock is near its date', () => {
    const headers = signWebhook(vector);
    const verified = verifyWebhookSignature({
      subscriberKey: vector.subscriberKey,
      host: vector.host,
      rawBody: Buffer.from(vector.body),
      headers: { ...headers },
      now: new Date(signedAt.getTime() + 30_000),
    });
    assert.equal(verified.nonce, vector.nonce);
  });

  const verify = (overrides: { body?: string; host?: string; key?: string; now?: Date; headers?: object }) =>
    verifyWebhookSignature({
      subscriberKey: overrides.key ?? vector.subscriberKey,
      host: overrides.host ?? vector.host,
      rawBody: Buffer.from(overrides.body ?? vector.body),
      headers: { ...signWebhook(vector), ...overrides.headers },
      now: overrides.now ?? signedAt,
    });

  it('refuses a body changed after signing', () => {
    assert.throws(() => verify({ body: vector.body.replace('22ACD1D9', '22ACD1DA') }), SignatureError);
  });

  it('refuses a signature made for another host', () => {
    assert.throws(() => verify({ host: 'attacker.example' }), /signature does not match/);
  });

  it('refuses a signature made with another key', () => {
    const otherKey = Buffer.alloc(64, 7).toString('base64');
    assert.throws(() => verify({ key: otherKey }), /signature does not match/);
  });

  it('refuses a stale date and one from the future', () => {
    assert.throws(() => verify({ now: new Date(signedAt.getTime() + 6 * 60_000) }), /stale/);
    assert.throws(() => verify({ now: new Date(signedAt.getTime() - 6 * 60_000) }), /stale/);
  });

  it('refuses missing or malformed headers', () => {
    assert.throws(() => verify({ headers: { 'x-fc-nonce': undefined } }), /missing x-fc-nonce/);
    assert.throws(() => verify({ headers: { 'x-fc-authorization': 'Bearer x' } }), /malformed/);
  });

  it('verifies a delivery without x-fc-signature when x-fc-authorization verifies (§9.4: the body signature is optional)', () => {
    const verified = verify({ headers: { 'x-fc-signature': undefined } });
    assert.equal(verified.nonce, vector.nonce);
  });

  it('still refuses an x-fc-signature that is sent and wrong', () => {
    assert.throws(
      () => verify({ headers: { 'x-fc-signature': vector.signature } }),
      /x-fc-signature does not match/,
    );
  });

  it('refuses a repeated signature header', () => {
    const nonce = signWebhook(vector)['x-fc-nonce'];
    assert.throws(() => verify({ headers: { 'x-fc-nonce': [nonce, nonce] } }), /more than one x-fc-nonce/);
  });

  it('does not say how far the date is from our clock', () => {
    assert.throws(
      () => verify({ now: new Date(signedAt.getTime() + 3_600_000) }),
      (error: unknown) => error instanceof SignatureError && !/\d/.test(error.message),
    );
  });
});
