import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DEMO_CREDENTIAL,
  DEMO_SUBSCRIBER_KEY,
  type SandboxCredential,
} from '../../adapters/flexcharge/sandbox/index.js';
import { verifyWebhookSignature } from '../../adapters/flexcharge/webhook-signature.js';
import { type Api, BILLING, declinedTransaction, newSandbox, startReceiver } from './sandbox-test-kit.js';

/** A second merchant account of the same platform, with its own key and site. */
const OTHER: SandboxCredential = {
  appKey: 'sandbox/other-app-key-Xy7',
  appSecret: 'other-app-secret-0123456789',
  mid: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
  tokenizationKey: 'sandbox-other-tokenization-key',
  siteIds: ['2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d'],
};
const OTHER_KEY = randomBytes(64).toString('base64');

async function tokenOf(api: Api, credential: SandboxCredential): Promise<string> {
  const response = await api
    .post('/v1/oauth2/token')
    .send({ AppKey: credential.appKey, AppSecret: credential.appSecret })
    .expect(200);
  return response.body.accessToken;
}

/** A sync MIT the sandbox approves at once: its `order.completed` is due immediately. */
async function approvedOrder(api: Api, credential: SandboxCredential): Promise<string> {
  const response = await api
    .post('/v1/evaluate')
    .auth(await tokenOf(api, credential), { type: 'bearer' })
    .send({
      isDeclined: true,
      isMIT: true,
      isRecurring: false,
      mid: credential.mid,
      orderId: `INV-${credential.mid.slice(0, 4)}-${randomBytes(4).toString('hex')}`,
      idempotencyKey: crypto.randomUUID(),
      transaction: declinedTransaction(),
      payer: { email: 'jane@example.com' },
      billingInformation: BILLING,
      paymentMethod: { cardNumber: '4242424242424242', token: false },
    })
    .expect(200);
  assert.equal(response.body.status, 'APPROVED');
  return response.body.orderSessionKey;
}

describe('sandbox webhook targets per merchant account', () => {
  let platform: Awaited<ReturnType<typeof startReceiver>>;
  let other: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    platform = await startReceiver();
    other = await startReceiver();
  });
  after(async () => {
    await platform.close();
    await other.close();
  });

  it("delivers each MID's events to its own URL, signed with its own subscriber key", async () => {
    const { sandbox, api, clock } = newSandbox({ credentials: [DEMO_CREDENTIAL, OTHER] });
    sandbox.setWebhook({ url: platform.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
    await api
      .put('/_sandbox/webhook')
      .send({ url: other.url, subscriberKey: OTHER_KEY, mid: OTHER.mid })
      .expect(200, { url: other.url, mid: OTHER.mid });

    const demoOrder = await approvedOrder(api, DEMO_CREDENTIAL);
    const otherOrder = await approvedOrder(api, OTHER);
    await sandbox.runDue();

    assert.deepEqual(
      platform.received.map((r) => r.json.OrderId),
      [demoOrder],
    );
    assert.deepEqual(
      other.received.map((r) => r.json.OrderId),
      [otherOrder],
    );
    const check = (received: (typeof other.received)[number], url: string, subscriberKey: string) =>
      verifyWebhookSignature({
        subscriberKey,
        host: new URL(url).host,
        rawBody: received.rawBody,
        headers: received.headers,
        now: clock.now(),
      });
    const [toOther] = other.received;
    assert.ok(toOther);
    check(toOther, other.url, OTHER_KEY);
    assert.throws(() => check(toOther, other.url, DEMO_SUBSCRIBER_KEY), /signature does not match/);
    assert.deepEqual(
      sandbox.deliveries.map((d) => [d.mid, d.url]),
      [
        [DEMO_CREDENTIAL.mid, platform.url],
        [OTHER.mid, other.url],
      ],
    );
  });

  it('sends a MID without a target of its own to the default one, also after its own is removed', async () => {
    platform.received.length = 0;
    other.received.length = 0;
    const { sandbox, api } = newSandbox({ credentials: [DEMO_CREDENTIAL, OTHER] });
    sandbox.setWebhook({ url: other.url, subscriberKey: OTHER_KEY }, { mid: OTHER.mid });
    sandbox.setWebhook({ url: platform.url, subscriberKey: DEMO_SUBSCRIBER_KEY });
    await api.delete(`/_sandbox/webhook?mid=${OTHER.mid}`).expect(204);
    const otherOrder = await approvedOrder(api, OTHER);
    await sandbox.runDue();
    assert.deepEqual(
      platform.received.map((r) => r.json.OrderId),
      [otherOrder],
    );
    assert.equal(other.received.length, 0);
  });

  it("holds a MID's events while neither its own nor a default target is set", async () => {
    platform.received.length = 0;
    const { sandbox, api } = newSandbox({ credentials: [DEMO_CREDENTIAL, OTHER] });
    sandbox.setWebhook(
      { url: platform.url, subscriberKey: DEMO_SUBSCRIBER_KEY },
      { mid: DEMO_CREDENTIAL.mid },
    );
    await approvedOrder(api, OTHER);
    await sandbox.runDue();
    assert.equal(platform.received.length, 0);
    assert.equal(sandbox.deliveries.length, 0);
    sandbox.setWebhook({ url: other.url, subscriberKey: OTHER_KEY }, { mid: OTHER.mid });
    await sandbox.runDue();
    assert.equal(sandbox.deliveries.length, 1);
  });

  it('refuses a target for a MID none of its credentials has', async () => {
    const { sandbox, api } = newSandbox();
    const unknown = '00000000-1111-4222-8333-444444444444';
    assert.throws(
      () => sandbox.setWebhook({ url: platform.url, subscriberKey: DEMO_SUBSCRIBER_KEY }, { mid: unknown }),
      /no credential/,
    );
    const refused = await api
      .put('/_sandbox/webhook')
      .send({ url: platform.url, subscriberKey: DEMO_SUBSCRIBER_KEY, mid: unknown })
      .expect(400);
    assert.match(JSON.stringify(refused.body), /no credential/);
  });
});
