import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import request from 'supertest';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import {
  createFlexChargeSandbox,
  type FlexChargeSandbox,
  type SandboxCredential,
  type SandboxListener,
  TEST_CARDS,
} from '../../adapters/flexcharge/sandbox/index.js';
import type { EvaluateRequest } from '../../adapters/flexcharge/wire/requests.js';
import { createStripeEmulator, type StripeEmulator } from '../../adapters/stripe/emulator/index.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { FLEXCHARGE_RESCUED_PAN } from '../../plugin/runtime/local-subscriber.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import { createStoredMerchantDirectory } from '../../plugin/runtime/stored-merchant-directory.js';
import { stripeWebhookEvents } from '../../plugin/runtime/stripe-setup.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { rotateSecrets } from '../../plugin/storage/rotate-secrets.js';
import { createCapturedLogger } from '../support/log-capture.js';
import { justAfterPeriodEnd } from '../support/stripe-emulator-controls.js';
import { createTestDatabase } from '../support/test-database.js';
import { e2eProfile } from './plugin-harness.js';

/**
 * A partner's plugin serving two merchants, against the FlexCharge sandbox started twice (one as the
 * sandbox host, one as the production host, each knowing its own credentials) and one Stripe
 * emulator holding the merchants' accounts: Acme with its own Stripe account, Globex a Connect
 * account of the partner's platform. Everything is configured through the admin API.
 */
const ADMIN = 'partner-admin-token-0123456789abcdef';
const guid = () => crypto.randomUUID();
const credential = (name: string): SandboxCredential => ({
  appKey: `${name}/app-key-${randomBytes(8).toString('hex')}`,
  appSecret: `${name}-app-secret-${randomBytes(16).toString('hex')}`,
  mid: guid(),
  tokenizationKey: `${name}-tokenization`,
  siteIds: [guid()],
});
// Acme's two FlexCharge accounts are separate, as FlexCharge's are: its shop has a site id in each.
const ACME_PRODUCTION = credential('acme-production');
const ACME_SANDBOX = credential('acme-sandbox');
const GLOBEX_SANDBOX = credential('globex-sandbox');
const SUBSCRIBER_KEYS = {
  acme: randomBytes(64).toString('base64'),
  globex: randomBytes(64).toString('base64'),
};
const ENCRYPTION_KEY = randomBytes(32);
/** The sandbox's test card that a CIT answers CHALLENGE for (its README's rule table). */
const CHALLENGE_PAN = TEST_CARDS.find((c) => c.cit === 'CHALLENGE')!.pan;

/** Every log line the plugin wrote, as text, to look for secrets in (and the suite's scan too). */
const { logger: capturingLogger, lines: capturedLines } = createCapturedLogger();

describe('a partner platform: many merchants, flows, environments and sites', () => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let database: DatabaseHandle;
  let emulator: StripeEmulator;
  let emulatorUrl: string;
  let sandboxHost: FlexChargeSandbox;
  let productionHost: FlexChargeSandbox;
  const listeners: SandboxListener[] = [];
  let plugin: RunningPlugin;
  let acmeStripe: Stripe;
  let globexStripe: Stripe;
  let globexAccount: string;
  let shoesSiteId: string;
  let hatsSiteId: string;

  async function call(method: 'put' | 'post' | 'get', path: string, body?: object) {
    const req = request(plugin.url)[method](path).auth(ADMIN, { type: 'bearer' });
    const res = body ? await req.send(body) : await req;
    assert.ok(
      res.status >= 200 && res.status < 300,
      `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
    );
    return res;
  }

  /** From now on, this card of that Stripe account declines with `code` (the emulator's control route). */
  async function declineCard(account: string, paymentMethod: string, code: string): Promise<void> {
    const url = `${emulatorUrl}/_emulator/payment_methods/${paymentMethod}/behavior?account=${account}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decline_code: code }),
    });
    assert.ok(res.ok, `card behaviour: ${res.status} ${await res.text()}`);
  }

  /** Every side's due work, then the worker, until nothing moves. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 8; i++) {
      await emulator.runDue();
      await sandboxHost.runDue();
      await productionHost.runDue();
      await plugin.worker.drain();
    }
  }

  /** A customer of `stripe` with a card tokenized at `host` under `cred`, subscribed monthly. */
  async function customerWithToken(
    stripe: Stripe,
    host: string,
    cred: SandboxCredential,
    card: string,
    pan = FLEXCHARGE_RESCUED_PAN,
  ) {
    const customer = await stripe.customers.create({
      email: 'jenny@example.com',
      name: 'Jenny Rosen',
      phone: '+33 1 23 45 67 89',
      address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
    });
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer: customer.id });
    const client = createFlexChargeClient({
      baseUrl: host,
      environment: 'sandbox',
      credentials: { appKey: cred.appKey, appSecret: cred.appSecret },
      mid: cred.mid,
      tokenizationKey: cred.tokenizationKey,
      clock,
    });
    const { token } = await client.tokenize({
      payment_method: {
        credit_card: {
          first_name: 'Jenny',
          last_name: 'Rosen',
          number: pan,
          month: '12',
          year: '2030',
        },
      },
    });
    await stripe.paymentMethods.update(paymentMethod.id, { metadata: { flexcharge_token: token } });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    return { customer, paymentMethod };
  }

  async function price(stripe: Stripe, metadata: Record<string, string> = {}) {
    return stripe.prices.create({
      currency: 'eur',
      unit_amount: 2900,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro plan', metadata },
    });
  }

  /** A subscription whose first payment passed, then whose renewal declines off-session. */
  async function declinedRenewal(
    stripe: Stripe,
    account: string,
    cred: SandboxCredential,
    host: string,
    metadata: Record<string, string> = {},
  ) {
    const { customer, paymentMethod } = await customerWithToken(
      stripe,
      host,
      cred,
      'pm_card_authenticationRequiredOnSetup',
    );
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: (await price(stripe)).id }],
      metadata,
    });
    await settle();
    await declineCard(account, paymentMethod.id, 'insufficient_funds');
    clock.set(Math.max(clock.now().getTime(), await justAfterPeriodEnd(stripe, subscription.id)));
    await settle();
    const invoice = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    assert.equal(invoice.billing_reason, 'subscription_cycle');
    return invoice;
  }

  async function rescueOf(merchant: string, invoiceId: string) {
    const res = await call('get', `/admin/merchants/${merchant}/invoices/stripe/${invoiceId}/rescue`);
    return res.body.rescue as {
      state: string;
      flow: string;
      environment: string | null;
      mode: string | null;
      orderSource: string | null;
      siteId: string | null;
      ineligibleReason: string | null;
      flexcharge: { orderId: string | null; orderSessionKey: string | null };
      shadowRequest: { body: EvaluateRequest; problems: string[] } | null;
    };
  }

  const ordersAt = (host: FlexChargeSandbox, externalOrderId: string) =>
    [...host.orders.values()].filter((o) => o.externalOrderId === externalOrderId);

  before(async () => {
    database = await createTestDatabase();
    emulator = createStripeEmulator({ clock });
    emulatorUrl = (await emulator.listen(0, '127.0.0.1')).url;
    const platform = createStripeClient({ secretKey: emulator.apiKey, apiBase: emulatorUrl });
    const events = stripeWebhookEvents();
    // The endpoints' secrets are configuration; their URLs are set once the plugin listens.
    const platformEndpoint = await platform.webhookEndpoints.create({
      url: 'https://example.com/x',
      enabled_events: events,
    });
    const connectEndpoint = await platform.webhookEndpoints.create({
      url: 'https://example.com/x',
      enabled_events: events,
      connect: true,
    });

    const sandboxOptions = { clock, decisionDelayMs: 3_600_000, ...sandboxProfile() };
    sandboxHost = createFlexChargeSandbox({ ...sandboxOptions, credentials: [ACME_SANDBOX, GLOBEX_SANDBOX] });
    productionHost = createFlexChargeSandbox({ ...sandboxOptions, credentials: [ACME_PRODUCTION] });
    const sandboxListener = await sandboxHost.listen(0, '127.0.0.1');
    const productionListener = await productionHost.listen(0, '127.0.0.1');
    listeners.push(sandboxListener, productionListener);

    plugin = await startPlugin(
      loadConfig({
        PORT: '0',
        FLEXCHARGE_ENV: 'local',
        FLEXCHARGE_SANDBOX_URL: sandboxListener.baseUrl,
        FLEXCHARGE_PRODUCTION_URL: productionListener.baseUrl,
        ADMIN_TOKEN: ADMIN,
        ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64'),
        STRIPE_SECRET_KEY: emulator.apiKey,
        STRIPE_API_BASE: emulatorUrl,
        STRIPE_WEBHOOK_SECRET: platformEndpoint.secret!,
        STRIPE_CONNECT_WEBHOOK_SECRET: connectEndpoint.secret!,
      }),
      { logger: capturingLogger, clock, database, startWorker: false },
    );
    await platform.webhookEndpoints.update(platformEndpoint.id, { url: `${plugin.url}/webhooks/stripe` });
    await platform.webhookEndpoints.update(connectEndpoint.id, {
      url: `${plugin.url}/webhooks/stripe-connect`,
    });

    // Acme: its own Stripe account; MIT in production, website CIT in sandbox, call-center CIT off.
    const acme = emulator.createStandaloneAccount();
    acmeStripe = createStripeClient({ secretKey: acme.apiKey, apiBase: emulatorUrl });
    const acmeEndpoint = await acmeStripe.webhookEndpoints.create({
      url: `${plugin.url}/webhooks/stripe/acme`,
      enabled_events: events,
    });
    await call('put', '/admin/merchants/acme', { name: 'Acme' });
    for (const [environment, cred] of [
      ['sandbox', ACME_SANDBOX],
      ['production', ACME_PRODUCTION],
    ] as const) {
      await call('put', `/admin/merchants/acme/credentials/${environment}`, {
        appKey: cred.appKey,
        appSecret: cred.appSecret,
        mid: cred.mid,
        webhookKey: SUBSCRIBER_KEYS.acme,
      });
    }
    await call('put', '/admin/merchants/acme/engines/stripe', {
      apiKey: acme.apiKey,
      webhookSecret: acmeEndpoint.secret,
    });
    await call('put', '/admin/merchants/acme/flows/mit', { mode: 'on', environment: 'production' });
    await call('put', '/admin/merchants/acme/flows/cit_website', { mode: 'on', environment: 'sandbox' });
    await call('put', '/admin/merchants/acme/flows/cit_call_center', { mode: 'off', environment: 'sandbox' });
    shoesSiteId = (
      await call('post', '/admin/merchants/acme/sites', {
        url: 'https://shoes.example.com',
        statementDescriptor: 'ACME SHOES',
        flexchargeSiteIds: { sandbox: ACME_SANDBOX.siteIds![0], production: ACME_PRODUCTION.siteIds![0] },
        isDefault: true,
      })
    ).body.site.id;
    hatsSiteId = (
      await call('post', '/admin/merchants/acme/sites', {
        url: 'https://hats.example.com',
        enabled: { mit: false, cit_website: true, cit_call_center: true },
      })
    ).body.site.id;

    // Globex: a Connect account of the partner's platform; MIT in sandbox.
    globexAccount = (
      await platform.accounts.create({
        type: 'express',
        country: 'DE',
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      })
    ).id;
    globexStripe = createStripeClient({
      secretKey: emulator.apiKey,
      apiBase: emulatorUrl,
      stripeAccount: globexAccount,
    });
    await call('put', '/admin/merchants/globex', { name: 'Globex' });
    await call('put', '/admin/merchants/globex/credentials/sandbox', {
      appKey: GLOBEX_SANDBOX.appKey,
      appSecret: GLOBEX_SANDBOX.appSecret,
      mid: GLOBEX_SANDBOX.mid,
      webhookKey: SUBSCRIBER_KEYS.globex,
      defaultSiteId: GLOBEX_SANDBOX.siteIds![0],
    });
    await call('put', '/admin/merchants/globex/engines/stripe', { stripeAccountId: globexAccount });
    await call('put', '/admin/merchants/globex/flows/mit', { mode: 'on', environment: 'sandbox' });

    // Each FlexCharge account posts its webhooks to its merchant's own route, signed with its own key.
    for (const [host, cred, merchant] of [
      [sandboxHost, ACME_SANDBOX, 'acme'],
      [productionHost, ACME_PRODUCTION, 'acme'],
      [sandboxHost, GLOBEX_SANDBOX, 'globex'],
    ] as const) {
      host.setWebhook(
        {
          url: `${plugin.url}/webhooks/flexcharge/${merchant}`,
          subscriberKey: SUBSCRIBER_KEYS[merchant],
        },
        { mid: cred.mid },
      );
    }
  });

  after(async () => {
    await plugin?.stop();
    for (const l of listeners) await l.close();
    await sandboxHost?.close();
    await productionHost?.close();
    await emulator?.close();
    await database?.close();
  });

  it("sends each merchant's MIT to its flow's host with its own credentials, naming the site one way", async () => {
    const acmeInvoice = await declinedRenewal(
      acmeStripe,
      (await acmeStripe.accounts.retrieveCurrent()).id,
      ACME_PRODUCTION,
      listeners[1]!.baseUrl,
    );
    const acmeRescue = await rescueOf('acme', acmeInvoice.id);
    assert.equal(acmeRescue.state, 'held');
    assert.deepEqual([acmeRescue.flow, acmeRescue.environment, acmeRescue.mode], ['mit', 'production', 'on']);
    assert.equal(acmeRescue.siteId, shoesSiteId, 'the default site');
    const [acmeOrder, ...more] = ordersAt(productionHost, acmeInvoice.id);
    assert.equal(more.length, 0);
    assert.equal(acmeOrder?.mid, ACME_PRODUCTION.mid, 'production credentials at the production host');
    assert.equal(ordersAt(sandboxHost, acmeInvoice.id).length, 0, 'nothing at the sandbox host');
    const acmeBody = await evaluateBody(acmeInvoice.id);
    assert.equal(acmeBody.siteId, ACME_PRODUCTION.siteIds![0], "the shop's production site id");
    assert.equal(acmeBody.siteUrl, undefined, 'one kind of site reference');
    assert.equal(acmeBody.transaction.dynamicDescriptor, undefined);
    assert.equal(acmeBody.orderSource, 'website');
    assert.equal((await acmeStripe.invoices.retrieve(acmeInvoice.id)).auto_advance, false, 'held on Acme');

    // Globex's renewal comes through the platform's Connect endpoint, routed by `account`.
    const globexInvoice = await declinedRenewal(
      globexStripe,
      globexAccount,
      GLOBEX_SANDBOX,
      listeners[0]!.baseUrl,
    );
    const globexRescue = await rescueOf('globex', globexInvoice.id);
    assert.equal(globexRescue.state, 'held');
    assert.equal(globexRescue.environment, 'sandbox');
    assert.equal(ordersAt(sandboxHost, globexInvoice.id)[0]?.mid, GLOBEX_SANDBOX.mid);
    // Every Stripe call for Globex was made on its account: the hold is on its invoice there.
    assert.equal((await globexStripe.invoices.retrieve(globexInvoice.id)).auto_advance, false);
    const globexBody = await evaluateBody(globexInvoice.id);
    assert.equal(globexBody.siteId, GLOBEX_SANDBOX.siteIds![0], 'the credentials default site');

    // FlexCharge approves both; each webhook reaches its merchant's route and the invoice is paid.
    clock.advance(2 * 3_600_000);
    await settle();
    assert.equal((await rescueOf('acme', acmeInvoice.id)).state, 'recovered');
    assert.equal((await rescueOf('globex', globexInvoice.id)).state, 'recovered');
    assert.equal((await globexStripe.invoices.retrieve(globexInvoice.id)).status, 'paid');

    const calls = await database.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select(['merchant_id', 'environment', 'flow'])
      .where('operation', '=', 'evaluate')
      .execute();
    assert.deepEqual([...new Set(calls.map((c) => `${c.merchant_id}:${c.environment}:${c.flow}`))].sort(), [
      'acme:production:mit',
      'globex:sandbox:mit',
    ]);
  });

  it('takes a call-center renewal as MIT with its order source, and never hands over a site switched off', async () => {
    const acmeAccount = (await acmeStripe.accounts.retrieveCurrent()).id;
    const phone = await declinedRenewal(acmeStripe, acmeAccount, ACME_PRODUCTION, listeners[1]!.baseUrl, {
      order_channel: 'call_center',
    });
    assert.equal((await rescueOf('acme', phone.id)).orderSource, 'call_center');
    assert.equal((await evaluateBody(phone.id)).orderSource, 'call_center');

    const hats = await declinedRenewal(acmeStripe, acmeAccount, ACME_PRODUCTION, listeners[1]!.baseUrl, {
      flexcharge_site: 'https://hats.example.com',
    });
    const rescue = await rescueOf('acme', hats.id);
    assert.equal(rescue.state, 'ineligible');
    assert.equal(rescue.ineligibleReason, 'site_disabled');
    assert.equal(rescue.siteId, hatsSiteId);
    assert.equal(ordersAt(productionHost, hats.id).length, 0);
    assert.equal((await acmeStripe.invoices.retrieve(hats.id)).auto_advance, true, 'nothing held');
  });

  it('evaluates a declined first payment as website CIT in sandbox, and leaves call-center CIT off', async () => {
    const acmeAccount = (await acmeStripe.accounts.retrieveCurrent()).id;
    const cit = async (moto: boolean, pan?: string) => {
      const { customer, paymentMethod } = await customerWithToken(
        acmeStripe,
        listeners[0]!.baseUrl,
        ACME_SANDBOX,
        'pm_card_fr',
        pan,
      );
      const subscription = await acmeStripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: (await price(acmeStripe)).id }],
        payment_behavior: 'default_incomplete',
        metadata: { customer_ip: '203.0.113.7' },
      });
      await declineCard(acmeAccount, paymentMethod.id, 'generic_decline');
      const invoice = await acmeStripe.invoices.retrieve(String(subscription.latest_invoice));
      const intent = (await acmeStripe.invoicePayments.list({ invoice: invoice.id })).data[0]?.payment
        .payment_intent;
      assert.ok(intent, 'the first invoice has a PaymentIntent');
      await acmeStripe.paymentIntents
        .confirm(typeof intent === 'string' ? intent : intent.id, {
          payment_method: paymentMethod.id,
          ...(moto ? { payment_method_options: { card: { moto: true } } } : {}),
        })
        .catch(() => undefined);
      await settle();
      return invoice;
    };

    const website = await cit(false);
    const rescue = await rescueOf('acme', website.id);
    assert.deepEqual([rescue.flow, rescue.environment], ['cit_website', 'sandbox']);
    const [order] = ordersAt(sandboxHost, website.id);
    assert.equal(order?.mid, ACME_SANDBOX.mid, 'sandbox credentials at the sandbox host');
    assert.equal(order?.isMIT, false);
    assert.equal(order?.orderSource, 'website');
    const body = await evaluateBody(website.id);
    assert.equal(body.siteId, ACME_SANDBOX.siteIds![0], "the shop's sandbox site id, not production's");
    assert.equal(body.siteUrl, undefined, 'one kind of site reference');
    assert.equal(body.isMIT, false);
    assert.equal(body.expiryDateUtc, undefined);
    assert.equal(rescue.state, 'recovered', 'FlexCharge approved at once; written back');
    const paid = await acmeStripe.invoices.retrieve(website.id);
    assert.equal(paid.status, 'paid');
    const recovered = (await call('get', `/admin/merchants/acme/invoices/stripe/${website.id}/rescue`)).body;
    assert.equal(recovered.rescue.holdAppliedAt, null, 'nothing was held');
    assert.ok(!recovered.history.some((h: { to_state: string }) => h.to_state === 'held'));

    // A CHALLENGE is kept, and the checkout reads the key to present it with.
    const challenged = await cit(false, CHALLENGE_PAN);
    assert.equal((await rescueOf('acme', challenged.id)).state, 'challenged');
    const { body: answer } = await call(
      'get',
      `/api/merchants/acme/invoices/stripe/${challenged.id}/challenge`,
    );
    assert.equal(answer.state, 'challenged');
    assert.ok(answer.challenge.orderSessionKey, 'the session key to present the challenge with');

    const phone = await cit(true);
    const refused = await rescueOf('acme', phone.id);
    assert.deepEqual(
      [refused.flow, refused.state, refused.ineligibleReason],
      ['cit_call_center', 'ineligible', 'flow_off'],
    );
    assert.equal(ordersAt(sandboxHost, phone.id).length, 0);
  });

  it('in shadow mode records the complete request and calls nothing; the switch needs no restart', async () => {
    await call('put', '/admin/merchants/globex/flows/mit', { mode: 'shadow', environment: 'sandbox' });
    // Every process sees a change within a second (the directory's refresh), without a restart.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const invoice = await declinedRenewal(globexStripe, globexAccount, GLOBEX_SANDBOX, listeners[0]!.baseUrl);
    const rescue = await rescueOf('globex', invoice.id);
    assert.equal(rescue.state, 'shadowed');
    assert.equal(rescue.mode, 'shadow');
    assert.equal(rescue.shadowRequest?.body.orderId, invoice.id);
    assert.equal(rescue.shadowRequest?.body.isMIT, true);
    assert.ok(rescue.shadowRequest?.body.expiryDateUtc);
    assert.equal(ordersAt(sandboxHost, invoice.id).length, 0, 'no evaluate');
    const calls = await database.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select('request_body')
      .where('operation', '=', 'evaluate')
      .execute();
    assert.ok(!calls.some((c) => JSON.stringify(c.request_body).includes(invoice.id)), 'no evaluate call');
    assert.equal((await globexStripe.invoices.retrieve(invoice.id)).auto_advance, true, 'no hold');
    assert.ok(!JSON.stringify(rescue.shadowRequest).includes('tok_'), 'no card token');
  });

  it('refuses a webhook for an unknown merchant with 404 and stores nothing', async () => {
    const before = await countInbox();
    await request(plugin.url).post('/webhooks/stripe/nobody').send('{}').expect(404);
    await request(plugin.url).post('/webhooks/flexcharge/nobody').send('{}').expect(404);
    assert.equal(await countInbox(), before);
  });

  it('keeps credentials as ciphertext, rotates them, and shows them in no answer or log line', async () => {
    const secrets = [ACME_SANDBOX, ACME_PRODUCTION, GLOBEX_SANDBOX].flatMap((c) => [c.appKey, c.appSecret]);
    secrets.push(SUBSCRIBER_KEYS.acme, SUBSCRIBER_KEYS.globex);
    const table = JSON.stringify(
      await database.db.selectFrom('flexcharge_mit.merchant_flexcharge_credentials').selectAll().execute(),
    );
    const answers = JSON.stringify([
      (await call('get', '/admin/merchants')).body,
      (await call('get', '/admin/merchants/acme')).body,
      (await call('get', '/admin/merchants/globex')).body,
    ]);
    for (const secret of secrets) {
      assert.ok(!table.includes(secret), 'a secret in clear in the table');
      assert.ok(!answers.includes(secret), 'a secret in an API answer');
      assert.ok(!capturedLines().some((l) => l.includes(secret)), 'a secret in a log line');
    }

    // As README's rotation runs: the new key first, the old one still readable, then `keys rotate`.
    const { policy } = await plugin.merchants.resolve('acme');
    const newKey = randomBytes(32);
    const rotated = createSecretBox(newKey, [ENCRYPTION_KEY]);
    const report = await rotateSecrets(database.db, rotated);
    assert.equal(report.problems.length, 0);
    const keyIds = await database.db
      .selectFrom('flexcharge_mit.merchant_flexcharge_credentials')
      .select(['app_secret_key_id'])
      .execute();
    assert.ok(keyIds.every((k) => k.app_secret_key_id === rotated.keyId));
    // A process holding only the new key reads them all.
    const onlyNew = createStoredMerchantDirectory({
      db: database.db,
      box: createSecretBox(newKey),
      clock,
      policy,
      hosts: plugin.flexcharge.hosts,
      flexcharge: { timeoutMs: 5000, maxRetries: 0, callLog: { record: async () => {} } },
      stripe: plugin.stripe,
    });
    assert.deepEqual([...(await onlyNew.resolve('acme')).profile.environments].sort(), [
      'production',
      'sandbox',
    ]);
  });

  async function evaluateBody(invoiceId: string): Promise<EvaluateRequest> {
    const rows = await database.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select('request_body')
      .where('operation', '=', 'evaluate')
      .orderBy('id')
      .execute();
    const body = rows.map((r) => r.request_body as EvaluateRequest).find((b) => b?.orderId === invoiceId);
    assert.ok(body, `no evaluate for ${invoiceId}`);
    return body;
  }

  async function countInbox(): Promise<number> {
    const row = await database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

/** The sandbox switches of the E2E profile, as the options createFlexChargeSandbox takes. */
function sandboxProfile() {
  const env = e2eProfile();
  return {
    ...(env.SANDBOX_REQUIRED_FIELDS ? { requiredFields: env.SANDBOX_REQUIRED_FIELDS as 'latest' } : {}),
    ...(env.SANDBOX_BILLING_FIELDS ? { billingFields: env.SANDBOX_BILLING_FIELDS as 'country_postal' } : {}),
  };
}
