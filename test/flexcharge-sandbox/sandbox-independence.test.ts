import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { signDelivery } from '../../adapters/flexcharge/sandbox/webhook-signing.js';
import { evaluateRequestSchema } from '../../adapters/flexcharge/wire/requests.js';
import { accessToken, evaluate, managedMit, newSandbox } from './sandbox-test-kit.js';

const SANDBOX = 'adapters/flexcharge/sandbox';

/** Every runtime or type import of every sandbox file, resolved to a path from the project root. */
function sandboxImports(): { file: string; target: string }[] {
  const files = readdirSync(SANDBOX, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  return files.flatMap((file) => {
    const text = readFileSync(join(SANDBOX, file), 'utf8');
    return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map(([, specifier]) => ({
      file,
      target: relative('.', resolve(dirname(join(SANDBOX, file)), specifier!)),
    }));
  });
}

describe('the sandbox is an independent reading of the contract', () => {
  it('imports nothing from the FlexCharge client, its wire types or its webhook verifier', () => {
    const imports = sandboxImports();
    assert.ok(imports.length > 50, 'the scan found the sandbox’s imports');
    const outside = imports.filter(
      ({ target }) => target.startsWith('adapters/flexcharge/') && !target.startsWith(`${SANDBOX}/`),
    );
    assert.deepEqual(outside, []);
  });

  it('refuses an evaluate the client’s own schema accepts but the contract forbids', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now(), {
      transaction: {
        id: 'ch_1',
        timestampUtc: clock.now().toISOString(),
        amount: 1999,
        currency: 'USD',
        responseCode: '51',
        responseCodeSource: 'stripe',
      },
      subscription: { subscriptionId: 'SUB-42', interval: 'every 2 months', price: 1999, currency: 'USD' },
    });
    delete body.billingInformation;
    assert.equal(evaluateRequestSchema.safeParse(body).success, true, 'the client schema takes it');
    const refused = await evaluate(api, token, body).expect(400);
    assert.deepEqual(Object.keys(refused.body.errors).sort(), [
      'BillingInformation',
      'Subscription.Interval',
      'Transaction.AvsResultCode',
      'Transaction.CavvResultCode',
      'Transaction.CvvResultCode',
    ]);
  });

  it('signs webhooks as the contract’s published test vector says (§9.4)', () => {
    const body =
      '{"Event":"order.completed","TimeStamp":"2023-03-20T17:16:40.898703Z","EventData":null,"ExternalOrderId":"a9735210-1349-49bf-bfde-b737dd07872a","OrderId":"ac9674ed-cbfe-49aa-bc8b-eb1d2b74c429","ConfirmationId":"22ACD1D9","IsTestMode":true,"IsResent":false}';
    assert.equal(Buffer.byteLength(body), 255);
    const headers = signDelivery({
      subscriberKey:
        'XRmKBxG5uvt1qWzqvp+T6CAbTo0MB89GTxXZD5cHA56RP7Mj4NbnHQOR1Y8uorUU9YQz8ujaVRUdm9vTSkPZSw==',
      host: 'fctestwebhook.free.beeceptor.com',
      nonce: '5f1c2de28a76457c9cb79d1740f2260a',
      date: new Date('Mon, 20 Mar 2023 17:16:40 GMT'),
      body,
    });
    assert.deepEqual(headers, {
      'x-fc-date': 'Mon, 20 Mar 2023 17:16:40 GMT',
      'x-fc-nonce': '5f1c2de28a76457c9cb79d1740f2260a',
      'x-fc-content-sha512':
        'pLs0Op5VWqQM3ZIumqC2NP6MDqcnwFN1znp/oCuw9LcYd8PtvLC8ProyPg8ZDadsRc36NskT3QGKn/PkNqwWfg==',
      'x-fc-authorization':
        'HMAC-SHA512 SignedHeaders=x-fc-nonce;x-fc-date;host;x-fc-content-sha512&Signature=+HXN8ZewgINLk+uC/UI92HSWmLK7gZOECPxOGEM91ATyfyzScMF/+osEK5B0UjO7OFqahDvesSo8jmUWMZtQnA==',
      'x-fc-signature':
        'SbzcEwAKsViWqrB8+suZMjOdadswbUjLHtIKjDQJYle31xbB8Vr0pVTDaNP28/y+NDynpyFyKKnXmWZy8uJVig==',
    });
  });
});
