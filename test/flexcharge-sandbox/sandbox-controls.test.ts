import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import {
  createFlexChargeSandbox,
  DEMO_CREDENTIAL,
  DEMO_SUBSCRIBER_KEY,
} from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { startFlexChargeSandbox } from '../../adapters/flexcharge/sandbox/start-flexcharge-sandbox.js';
import { DAY_MS, systemClock } from '../../plugin/core/clock.js';
import { accessToken, evaluate, managedMit, newSandbox, startReceiver } from './sandbox-test-kit.js';

describe('sandbox control routes', () => {
  it('moves a manual clock, runs due work and lists orders', async () => {
    const { api, clock } = newSandbox({ decisionDelayMs: 60_000 });
    const token = await accessToken(api);
    const { orderSessionKey } = (await evaluate(api, token, managedMit(clock.now())).expect(200)).body;
    const before = clock.now().getTime();
    const advanced = await api.post('/_sandbox/clock/advance').send({ seconds: 60 }).expect(200);
    assert.equal(new Date(advanced.body.now).getTime(), before + 60_000);
    await api.post('/_sandbox/run-due').expect(200);
    const orders = await api.get('/_sandbox/orders').expect(200);
    assert.deepEqual(
      orders.body.map((o: { id: string; statusName: string }) => [o.id, o.statusName]),
      [[orderSessionKey, 'COMPLETED']],
    );
  });

  it('refuses to move a clock that cannot be moved with 409', async () => {
    const sandbox = createFlexChargeSandbox({ clock: systemClock });
    await request(sandbox.app).post('/_sandbox/clock/advance').send({ seconds: 60 }).expect(409);
  });

  it('sets the webhook target with PUT /_sandbox/webhook', async () => {
    const receiver = await startReceiver();
    const { api, clock, sandbox } = newSandbox({ decisionDelayMs: 0 });
    try {
      await api
        .put('/_sandbox/webhook')
        .send({ url: receiver.url, subscriberKey: DEMO_SUBSCRIBER_KEY })
        .expect(200);
      await api.put('/_sandbox/webhook').send({ url: 'not a url', subscriberKey: '!' }).expect(400);
      const token = await accessToken(api);
      await evaluate(api, token, managedMit(clock.now())).expect(200);
      await sandbox.runDue();
      assert.equal(receiver.received.length, 1);
    } finally {
      await receiver.close();
    }
  });

  it('decides due orders by itself while listening', async () => {
    const { clock, sandbox } = newSandbox({ decisionDelayMs: 0 });
    const server = await sandbox.listen(0);
    try {
      const login = await fetch(`${server.baseUrl}oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret }),
      });
      const { accessToken: token } = (await login.json()) as { accessToken: string };
      const evaluated = await fetch(`${server.baseUrl}evaluate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(managedMit(clock.now())),
      });
      const { orderSessionKey } = (await evaluated.json()) as { orderSessionKey: string };
      for (let i = 0; i < 40 && sandbox.orders.get(orderSessionKey)?.state !== 'completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(sandbox.orders.get(orderSessionKey)?.state, 'completed');
    } finally {
      await sandbox.close();
    }
  });
});

describe('startFlexChargeSandbox', () => {
  it('listens on an offset clock and prints the base URL, the demo credential and the webhook key', async () => {
    const lines: string[] = [];
    const started = await startFlexChargeSandbox({
      port: 0,
      cancelCompleted: 'accept',
      log: (line) => lines.push(line),
    });
    try {
      const banner = lines.join('\n');
      assert.match(banner, new RegExp(`FLEXCHARGE_BASE_URL=${started.baseUrl}`));
      for (const value of [
        DEMO_CREDENTIAL.appKey,
        DEMO_CREDENTIAL.appSecret,
        DEMO_CREDENTIAL.mid,
        DEMO_SUBSCRIBER_KEY,
      ]) {
        assert.ok(banner.includes(value), value);
      }
      assert.match(
        banner,
        /requiredFields=union billingFields=full cancelCompleted=accept refundRefunded=refuse/,
      );
      const origin = started.baseUrl.replace(/v1\/$/, '');
      const advanced = await fetch(`${origin}_sandbox/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds: 21 * 86_400 }),
      });
      const { now } = (await advanced.json()) as { now: string };
      assert.ok(new Date(now).getTime() - Date.now() > 21 * DAY_MS - 60_000);
    } finally {
      await started.close();
    }
  });
});
