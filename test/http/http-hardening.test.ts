import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { startPlugin } from '../../plugin/runtime/start-plugin.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  ADMIN_TOKEN,
  flexchargeBody,
  type HttpHarness,
  startHttpHarness,
  stripeEvent,
} from './http-harness.js';

describe('the HTTP surface, hardened', () => {
  let h: HttpHarness;
  before(async () => {
    h = await startHttpHarness();
  });
  after(() => h.close());

  const admin = (method: 'get' | 'put', path: string) =>
    h.http[method](path).auth(ADMIN_TOKEN, { type: 'bearer' });

  it('sends security headers on every answer: health, webhooks, admin, errors', async () => {
    const answers = {
      health: await h.http.get('/healthz'),
      unknownRoute: await h.http.get('/no-such-route'),
      stripe: await h.postStripe(
        JSON.stringify(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })),
      ),
      unsignedFlexCharge: await h.http.post('/webhooks/flexcharge').send('{}'),
      admin: await admin('get', '/admin/rescues'),
      adminUnauthorized: await h.http.get('/admin/rescues'),
    };
    for (const [name, res] of Object.entries(answers)) {
      const where = `${name} → ${res.status}`;
      assert.equal(res.headers['x-content-type-options'], 'nosniff', where);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', where);
      assert.match(res.headers['content-security-policy'] ?? '', /default-src 'self'/, where);
      assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d+/, where);
      assert.equal(res.headers['x-powered-by'], undefined, where);
    }
  });

  it('marks every admin answer Cache-Control: no-store, refusals included', async () => {
    const answers = [
      await admin('get', '/admin/rescues'),
      await admin('get', '/admin/rescues/00000000-0000-4000-8000-000000000000'),
      await h.http.get('/admin/rescues'),
    ];
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 404, 401],
    );
    for (const res of answers) assert.equal(res.headers['cache-control'], 'no-store', String(res.status));
  });

  it('answers admin inputs carrying NUL bytes with 400, not 500', async () => {
    const inPath = await admin('put', '/admin/card-tokens/stripe/pm_%00abc').send({ token: 'tok_1' });
    assert.equal(inPath.status, 400, JSON.stringify(inPath.body));
    const inBody = await admin('put', '/admin/card-tokens/stripe/pm_abc').send({ token: 'tok\u00001' });
    assert.equal(inBody.status, 400, JSON.stringify(inBody.body));
    const inInvoice = await admin('get', '/admin/invoices/stripe/in_%00x/rescue');
    assert.equal(inInvoice.status, 400, JSON.stringify(inInvoice.body));
    assert.equal(inInvoice.body.error.code, 'validation_failed');
  });

  it('does not echo parser messages in error bodies', async () => {
    const res = await admin('put', '/admin/card-tokens/stripe/pm_abc')
      .set('content-type', 'application/json')
      .send('{"token": "tok_1",,}');
    assert.equal(res.status, 400);
    assert.doesNotMatch(JSON.stringify(res.body), /position|Unexpected|JSON at|token ,/i);
  });

  it('does not tell a caller how far its clock is from ours', async () => {
    const body = flexchargeBody({
      Event: 'order.completed',
      OrderId: '7d5a2c36-9d7b-4a1e-9f7e-2b1d0c1e0a11',
    });
    const headers = h.flexchargeHeaders(body);
    h.clock.advance(3_600_000);
    try {
      const res = await h.postFlexCharge(body, headers);
      assert.equal(res.status, 400);
      assert.doesNotMatch(res.body.error.message, /\d/);
    } finally {
      h.clock.advance(-3_600_000);
    }
  });

  it('refuses a Stripe webhook that comes with two Stripe-Signature headers', async () => {
    const payload = JSON.stringify(stripeEvent('invoice.voided', { id: 'in_dup', object: 'invoice' }));
    const signature = h.plugin.stripe.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: h.plugin.stripe.webhookSecret,
      timestamp: Math.floor(h.clock.now().getTime() / 1000),
    });
    // Node's client sends an array as separate header lines, as a smuggling proxy might.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${h.plugin.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': [signature, signature] },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(payload);
    });
    assert.equal(status, 400);
    const rows = await h.inboxRows('stripe');
    assert.equal(
      rows.some((r) => (r.payload as { data?: { object?: { id?: string } } }).data?.object?.id === 'in_dup'),
      false,
    );
  });
});

describe('HOST: the listening address', () => {
  const outsideAddress = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  const reachable = (host: string, port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });

  async function listeningOn(env: Record<string, string>) {
    const database = await createTestDatabase();
    const config = loadConfig({ PORT: '0', FLEXCHARGE_ENV: 'local', ...env });
    const plugin = await startPlugin(config, {
      logger: silentLogger,
      clock: new ManualClock(),
      database,
      startWorker: false,
    });
    return {
      port: plugin.port,
      async stop() {
        await plugin.stop();
        await database.close();
      },
    };
  }

  it('listens on all interfaces by default, as a container needs', { skip: !outsideAddress }, async () => {
    const plugin = await listeningOn({});
    try {
      assert.equal(await reachable(outsideAddress!, plugin.port), true);
    } finally {
      await plugin.stop();
    }
  });

  it('listens only where HOST says', { skip: !outsideAddress }, async () => {
    const plugin = await listeningOn({ HOST: '127.0.0.1' });
    try {
      assert.equal(await reachable('127.0.0.1', plugin.port), true);
      assert.equal(await reachable(outsideAddress!, plugin.port), false);
    } finally {
      await plugin.stop();
    }
  });

  it('refuses a HOST that is not an address or a host name, naming the variable', () => {
    assert.throws(() => loadConfig({ HOST: 'http://0.0.0.0:8080' }), /HOST/);
  });
});
