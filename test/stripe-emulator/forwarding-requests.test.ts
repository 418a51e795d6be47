import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  createFlexChargeSandbox,
  DEMO_CREDENTIAL,
  type FlexChargeSandbox,
  type SandboxListener,
} from '../../adapters/flexcharge/sandbox/index.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { type Harness, startHarness } from './support.js';

const PAN = '4242424242424242';

/** FlexCharge's /tokenize body with the card fields blank, as the plugin sends it through Stripe. */
const tokenizeBody = (names = { first_name: 'Jenny', last_name: 'Rosen' }) =>
  JSON.stringify({
    payment_method: {
      credit_card: { ...names, number: '', verification_value: '', month: '', year: '' },
    },
  });

/**
 * Vault and Forward against the FlexCharge sandbox over real HTTP, with the real SDK: the emulator
 * fills the card from its vault, forwards only to allowlisted destinations, and keeps no card number.
 */
describe('Stripe emulator: POST /v1/forwarding/requests', () => {
  let h: Harness;
  let sandbox: FlexChargeSandbox;
  let listener: SandboxListener;
  let tokenizeUrl: string;
  let bearer: string;

  before(async () => {
    h = await startHarness();
    sandbox = createFlexChargeSandbox({ clock: new ManualClock('2026-01-15T12:00:00Z') });
    listener = await sandbox.listen();
    tokenizeUrl = `${listener.baseUrl}tokenize`;
    h.emulator.allowForwardingTo(tokenizeUrl);
    const token = await fetch(`${listener.baseUrl}oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ AppKey: DEMO_CREDENTIAL.appKey, AppSecret: DEMO_CREDENTIAL.appSecret }),
    });
    bearer = ((await token.json()) as { accessToken: string }).accessToken;
  });
  after(async () => {
    await h.close();
    await sandbox.close();
  });

  const forward = (params: Partial<Stripe.Forwarding.RequestCreateParams>, key?: string) =>
    h.stripe.forwarding.requests.create(
      {
        payment_method: 'pm_card_visa',
        url: tokenizeUrl,
        replacements: ['card_number', 'card_expiry'],
        request: {
          body: tokenizeBody(),
          headers: [{ name: 'Authorization', value: `Bearer ${bearer}` }],
        },
        ...params,
      },
      key ? { idempotencyKey: key } : {},
    );

  it('fills the blank card fields, calls the destination, and relays its answer', async () => {
    const pm = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { number: PAN, exp_month: 3, exp_year: 2031 },
    });
    const forwarded = await forward({ payment_method: pm.id });
    assert.equal(forwarded.object, 'forwarding.request');
    assert.match(forwarded.id, /^fwdreq_/);
    assert.equal(forwarded.payment_method, pm.id);
    assert.deepEqual(forwarded.replacements, ['card_number', 'card_expiry']);
    assert.equal(forwarded.response_details?.status, 200);
    const answer = JSON.parse(forwarded.response_details?.body ?? '{}');
    const vaulted = answer.transaction.payment_method;
    assert.ok(vaulted.token, 'FlexCharge answered with a token');
    assert.equal(vaulted.last_four_digits, '4242');
    assert.equal(vaulted.month, 3);
    assert.equal(vaulted.year, 2031);
    assert.equal(forwarded.request_context?.destination_ip_address, '127.0.0.1');
    assert.ok((forwarded.request_context?.destination_duration ?? -1) >= 0);

    // What Stripe keeps: the number masked, the credentials redacted; the PAN appears nowhere.
    const sent = JSON.parse(forwarded.request_details?.body ?? '{}').payment_method.credit_card;
    assert.equal(sent.number, '424242******4242');
    assert.equal(sent.month, '03');
    assert.equal(sent.year, '2031');
    assert.equal(sent.verification_value, '', 'a card on file has no CVC');
    const auth = forwarded.request_details?.headers.find((x) => x.name === 'Authorization');
    assert.equal(auth?.value, '***');
    const retrieved = await h.stripe.forwarding.requests.retrieve(forwarded.id);
    assert.equal(retrieved.id, forwarded.id);
    assert.ok(!JSON.stringify(retrieved).includes(PAN));
    const listed = await h.stripe.forwarding.requests.list({ limit: 100 });
    assert.ok(listed.data.some((r) => r.id === forwarded.id));
    assert.ok(!JSON.stringify(listed).includes(PAN));
  });

  it('fills only the kinds asked for: without card_number the blank number stays blank', async () => {
    const forwarded = await forward({ replacements: ['card_expiry'] });
    assert.equal(forwarded.response_details?.status, 400, 'FlexCharge refuses a blank number');
    const sent = JSON.parse(forwarded.request_details?.body ?? '{}').payment_method.credit_card;
    assert.equal(sent.number, '');
  });

  it('fills first and last name from the billing name when cardholder_name is asked for', async () => {
    const pm = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { number: '5555555555554444', exp_month: 12, exp_year: 2030 },
      billing_details: { name: 'Ada Lovelace King' },
    });
    const forwarded = await forward({
      payment_method: pm.id,
      replacements: ['card_number', 'card_expiry', 'cardholder_name'],
      request: {
        body: tokenizeBody({ first_name: '', last_name: '' }),
        headers: [{ name: 'Authorization', value: `Bearer ${bearer}` }],
      },
    });
    assert.equal(forwarded.response_details?.status, 200);
    const vaulted = JSON.parse(forwarded.response_details?.body ?? '{}').transaction.payment_method;
    assert.equal(vaulted.first_name, 'Ada Lovelace');
    assert.equal(vaulted.last_name, 'King');
  });

  it('with the same idempotency key, forwards once and replays the answer', async () => {
    const before = sandbox.requests.filter((r) => r.path.endsWith('/tokenize')).length;
    const key = `forward-twice-${Date.now()}`;
    const first = await forward({}, key);
    const second = await forward({}, key);
    assert.equal(second.id, first.id);
    assert.equal(second.response_details?.body, first.response_details?.body);
    assert.equal(sandbox.requests.filter((r) => r.path.endsWith('/tokenize')).length, before + 1);
  });

  it('refuses a destination that is not on the allowlist, and sends nothing', async () => {
    const before = sandbox.requests.length;
    await assert.rejects(forward({ url: `${listener.baseUrl}evaluate` }), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.param, 'url');
      assert.match(error.message, /not supported by your forwarding configuration/);
      return true;
    });
    await assert.rejects(forward({ url: 'https://example.com/v1/tokenize' }), { param: 'url' });
    assert.equal(sandbox.requests.length, before);
  });

  it('validates like Stripe: unknown payment method, missing and unknown params, bad replacements', async () => {
    await assert.rejects(forward({ payment_method: 'pm_nope' }), {
      code: 'resource_missing',
      param: 'payment_method',
    });
    await assert.rejects(
      h.stripe.forwarding.requests.create({
        payment_method: 'pm_card_visa',
        replacements: ['card_number'],
        request: {},
      } as Stripe.Forwarding.RequestCreateParams),
      { code: 'parameter_missing', param: 'url' },
    );
    await assert.rejects(forward({ replacements: ['card_pin' as 'card_cvc'] }), { param: 'replacements[0]' });
    await assert.rejects(forward({ replacements: [] }), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      return true;
    });
    await assert.rejects(
      forward({ request: { body: 'number=&month=' } }),
      (error: unknown) =>
        error instanceof Stripe.errors.StripeInvalidRequestError && error.param === 'request[body]',
    );
    await assert.rejects(
      h.stripe.rawRequest('POST', '/v1/forwarding/requests', {
        payment_method: 'pm_card_visa',
        url: tokenizeUrl,
        replacements: ['card_number'],
        request: { body: '{}' },
        config: 'fwdcfg_1',
      }),
      { code: 'parameter_unknown', param: 'config' },
    );
  });

  it('needs the forwarding permission on a restricted key', async () => {
    const call = (key: string) =>
      new Stripe(key, {
        host: '127.0.0.1',
        port: h.server.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      }).forwarding.requests.create({
        payment_method: 'pm_card_visa',
        url: tokenizeUrl,
        replacements: ['card_number', 'card_expiry'],
        request: { body: tokenizeBody(), headers: [{ name: 'Authorization', value: `Bearer ${bearer}` }] },
      });
    const readOnly = h.emulator.createRestrictedKey({ payment_methods: 'read' });
    await assert.rejects(
      call(readOnly),
      (error: unknown) => error instanceof Stripe.errors.StripePermissionError,
    );
    const forwarding = h.emulator.createRestrictedKey({ payment_methods: 'read', forwarding: 'write' });
    assert.equal((await call(forwarding)).response_details?.status, 200);
  });

  it('answers an api_error when the destination cannot be reached', async () => {
    const closed = createFlexChargeSandbox({ clock: new ManualClock('2026-01-15T12:00:00Z') });
    const gone = await closed.listen();
    const url = `${gone.baseUrl}tokenize`;
    await closed.close();
    // Enabled as Stripe support would, through the control route.
    const enabled = await fetch(`${h.server.url}/_emulator/forwarding/destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    assert.equal(enabled.status, 200);
    assert.ok(((await enabled.json()) as { destinations: string[] }).destinations.includes(url));
    await assert.rejects(forward({ url }), (error: unknown) => error instanceof Stripe.errors.StripeAPIError);
  });

  it("lifts the allowlist only when started with forwardingDestinations: 'any'", async () => {
    const open = await startHarness({ forwardingDestinations: 'any' });
    try {
      const forwarded = await open.stripe.forwarding.requests.create({
        payment_method: 'pm_card_mastercard',
        url: `${tokenizeUrl}?unused=1`,
        replacements: ['card_number', 'card_expiry'],
        request: { body: tokenizeBody(), headers: [{ name: 'Authorization', value: `Bearer ${bearer}` }] },
      });
      assert.equal(forwarded.response_details?.status, 200);
    } finally {
      await open.close();
    }
  });
});
