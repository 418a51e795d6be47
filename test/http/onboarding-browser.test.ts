import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type Stripe from 'stripe';
import request from 'supertest';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import { createLocalDriver } from '../../plugin/runtime/local-driver.js';
import { FLEXCHARGE_RESCUED_PAN, subscribeMonthly } from '../../plugin/runtime/local-subscriber.js';
import { stripeWebhookEvents } from '../../plugin/runtime/stripe-setup.js';
import { type HeadlessBrowser, launchBrowser } from '../support/browser.js';
import { justAfterPeriodEnd } from '../support/stripe-emulator-controls.js';
import { ADMIN_TOKEN, type HttpHarness, startHttpHarness } from './http-harness.js';

/** What a reader sees of an element, as text. */
const textOf = async (l: Locator) => (await l.textContent()) ?? '';

/** The value at a dotted path of an object (an audit entry's `after.appSecret.last4`), or undefined. */
const valueAt = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], value);

/**
 * A whole onboarding, driven through the pages by headless Chromium with real clicks and form fills:
 * the operator signs in, creates a merchant, enters its Stripe connection and its sandbox credentials
 * (tested against the local FlexCharge sandbox), adds two sites and switches MIT to shadow, then on.
 * A declined renewal on the merchant's Stripe account then shows on its page. A screenshot of each
 * page is kept in test-output/screenshots; every change is checked in the audit log, before and after.
 */
const MERCHANT = 'acme';
const SHOES = 'https://shoes.acme.test';
const HATS = 'https://hats.acme.test';
const SECRETS = [DEMO_CREDENTIAL.appKey, DEMO_CREDENTIAL.appSecret];

interface AuditEntryJson {
  action: string;
  actor: string;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe('onboarding in a browser: from an empty plugin to a rescued renewal on the page', {
  skip: existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') ? false : 'no Chromium here',
}, () => {
  let h: HttpHarness;
  let browser: HeadlessBrowser;
  let page: Page;
  let acmeStripe: Stripe;
  let acmeAccount: string;
  let webhookSecret: string;
  let acmeKey: string;

  before(async () => {
    h = await startHttpHarness();
    browser = await launchBrowser();
    page = await browser.newPage('laptop');
    // The merchant's own Stripe account, with its webhook endpoint on the plugin's merchant route:
    // what the operator copies from the merchant's Stripe dashboard into the form.
    const account = h.plugin.stripe.emulator!.emulator.createStandaloneAccount();
    acmeAccount = account.id;
    acmeKey = account.apiKey;
    acmeStripe = createStripeClient({ secretKey: account.apiKey, apiBase: h.plugin.stripe.emulator!.url });
    const endpoint = await acmeStripe.webhookEndpoints.create({
      url: `${h.plugin.url}/webhooks/stripe/${MERCHANT}`,
      enabled_events: stripeWebhookEvents(),
    });
    webhookSecret = endpoint.secret!;
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const url = (path: string) => `${h.plugin.url}${path}`;
  const merchantPage = () => page.goto(url(`/merchants/${MERCHANT}`));

  /** Fills the labelled fields of the form `formAction` posts to, and presses its submit button. */
  async function submitForm(formAction: string, fields: Record<string, string>, button?: string) {
    const form = page.locator(`form[action="${formAction}"]`);
    for (const [label, value] of Object.entries(fields))
      await form.getByLabel(label, { exact: true }).fill(value);
    await Promise.all([
      page.waitForLoadState('load'),
      (button ? form.getByRole('button', { name: button }) : form.locator('button[type=submit]')).click(),
    ]);
  }

  async function signIn(on: Page) {
    await on.goto(`${h.plugin.url}/merchants`);
    assert.match(on.url(), /\/login$/, 'no session: the login page');
    await on.getByLabel('Partner token or merchant API key').fill(ADMIN_TOKEN);
    await on.getByRole('button', { name: 'Sign in' }).click();
    await on.waitForURL(/\/merchants$/);
  }

  /** The merchant's audit log through the API, oldest first. */
  async function audit(): Promise<AuditEntryJson[]> {
    const res = await request(h.plugin.url)
      .get(`/admin/merchants/${MERCHANT}/audit?limit=200`)
      .auth(ADMIN_TOKEN, { type: 'bearer' })
      .expect(200);
    return (res.body.entries as AuditEntryJson[]).reverse();
  }

  it('signs in and creates the merchant, refusing a bad id next to its field', async () => {
    await page.goto(url('/login'));
    await browser.screenshot(page, 'onboarding-1-login');
    await signIn(page);
    await browser.screenshot(page, 'onboarding-2-merchant-list-empty');

    await submitForm('/merchants', { 'Id (lowercase letters, digits, _ or -)': 'Acme!', Name: 'Acme Shoes' });
    const idError = page.locator('#merchant-new-id ~ .error');
    assert.match(await textOf(idError), /lowercase letters/);
    assert.equal(await page.locator('#merchant-new-name').inputValue(), 'Acme Shoes', 'what was typed kept');

    await submitForm('/merchants', {
      'Id (lowercase letters, digits, _ or -)': MERCHANT,
      Name: 'Acme Shoes',
    });
    assert.equal(new URL(page.url()).pathname, `/merchants/${MERCHANT}`);
    assert.equal(await textOf(page.locator('h1')), `Acme Shoes ${MERCHANT}`);
    assert.match(await textOf(page.locator('.checklist')), /every flow is off/);
  });

  it("connects the merchant's Stripe account and its sandbox credentials, tested against the sandbox", async () => {
    const base = `/merchants/${MERCHANT}`;
    await submitForm(`${base}/engines/stripe`, {
      'API key (sk_… or rk_…)': acmeKey,
      'Webhook signing secret (whsec_…)': webhookSecret,
    });
    assert.match(await textOf(page.locator('section', { hasText: 'Stripe connection' }).first()), /••••/);

    // A wrong secret first: saved, then refused by the sandbox, and the page says so.
    const credentials = {
      'App key': DEMO_CREDENTIAL.appKey,
      MID: DEMO_CREDENTIAL.mid,
      'Webhook (subscriber) key, optional': h.plugin.flexcharge.subscriberKey!,
    };
    await submitForm(`${base}/credentials/sandbox`, { ...credentials, 'App secret': 'not-the-secret-0000' });
    await submitForm(`${base}/credentials/sandbox/test`, {});
    const refused = await textOf(page.locator('.notice'));
    assert.match(refused, /refused the app key and secret/);

    await page.getByText('Replace sandbox credentials').click();
    await submitForm(`${base}/credentials/sandbox`, {
      ...credentials,
      'App secret': DEMO_CREDENTIAL.appSecret,
    });
    await submitForm(`${base}/credentials/sandbox/test`, {});
    assert.match(await textOf(page.locator('.notice.ok')), /FlexCharge sandbox issued a token/);
    assert.match(
      await textOf(page.locator('p.last-test').first()),
      /accepted, FlexCharge sandbox issued a token/,
    );
    assert.match(await page.content(), /app secret <code>••••/);
  });

  it('adds two sites, switches the second off for MIT, and MIT to shadow then on', async () => {
    const base = `/merchants/${MERCHANT}`;
    // A URL that is no URL is refused at its field.
    await submitForm(`${base}/sites`, { URL: 'ftp://shoes.acme.test' });
    assert.match(await textOf(page.locator('#site-new-url ~ .error')), /http\(s\) URL/);
    await page.locator(`form[action="${base}/sites"]`).getByLabel('default site').check();
    await submitForm(`${base}/sites`, {
      URL: SHOES,
      'Statement descriptor': 'ACME SHOES',
      'FlexCharge sandbox site id': DEMO_CREDENTIAL.siteIds![0]!,
    });
    await submitForm(`${base}/sites`, { URL: HATS });
    const sites = page.locator('.site');
    assert.equal(await sites.count(), 2);
    const hats = sites.filter({ hasText: HATS });
    await hats.locator('form').first().getByLabel('mit', { exact: true }).uncheck();
    await Promise.all([
      page.waitForLoadState('load'),
      hats.getByRole('button', { name: 'Save switches' }).click(),
    ]);

    for (const mode of ['shadow', 'on']) {
      const form = page.locator(`form[action="${base}/flows/mit"]`);
      await form.getByLabel('Mode').selectOption(mode);
      await form.getByLabel('Environment').selectOption('sandbox');
      await Promise.all([
        page.waitForLoadState('load'),
        form.getByRole('button', { name: 'Save mit' }).click(),
      ]);
      assert.match(await textOf(form), new RegExp(`${mode} / sandbox`));
    }
    const checklist = await textOf(page.locator('.checklist'));
    assert.match(checklist, /MIT on in sandbox/);
    assert.match(checklist, /FlexCharge sandbox accepted the credentials/);
    assert.match(checklist, /2 site\(s\)/);
    assert.equal(await textOf(page.locator('h2 .badge.ok')), 'ready');
    await browser.screenshot(page, 'onboarding-3-merchant-page');
  });

  it('creates a key shown once and revokes it, on the page', async () => {
    const base = `/merchants/${MERCHANT}`;
    await submitForm(`${base}/api-keys`, { 'New key name': 'back office' });
    const key = await textOf(page.locator('#new-api-key'));
    assert.match(key, /^fcm_[0-9a-f]{12}_/);
    await merchantPage();
    assert.equal((await page.content()).includes(key.slice(17)), false, 'the key is not shown again');
    const row = page.locator('table.keys tr', { hasText: 'back office' });
    await Promise.all([
      page.waitForLoadState('load'),
      row.getByRole('button', { name: 'Revoke back office' }).click(),
    ]);
    assert.match(await textOf(page.locator('table.keys tr', { hasText: 'back office' })), /revoked/);
    const refused = await request(h.plugin.url)
      .get(`/admin/merchants/${MERCHANT}`)
      .auth(key, { type: 'bearer' });
    assert.equal(refused.status, 401, 'a revoked key is refused');
  });

  it("shows a declined renewal on the merchant's page, and the rescue's history", async () => {
    const { settle } = createLocalDriver(h.plugin, h.clock);
    // The merchant's checkout: a customer whose card is also tokenized with FlexCharge (same MID).
    const customer = await acmeStripe.customers.create({
      email: 'jenny@example.com',
      name: 'Jenny Rosen',
      address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
    });
    const paymentMethod = await acmeStripe.paymentMethods.attach('pm_card_authenticationRequiredOnSetup', {
      customer: customer.id,
    });
    const { token } = await h.plugin.flexcharge.client!.tokenize({
      payment_method: {
        credit_card: {
          first_name: 'Jenny',
          last_name: 'Rosen',
          number: FLEXCHARGE_RESCUED_PAN,
          month: '12',
          year: '2030',
        },
      },
    });
    await acmeStripe.paymentMethods.update(paymentMethod.id, { metadata: { flexcharge_token: token } });
    const { subscription } = await subscribeMonthly(acmeStripe, customer.id, paymentMethod.id, {
      flexcharge_site: SHOES,
    });
    await settle();
    const behaviour = await fetch(
      `${h.plugin.stripe.emulator!.url}/_emulator/payment_methods/${paymentMethod.id}/behavior?account=${acmeAccount}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ decline_code: 'insufficient_funds' }),
      },
    );
    assert.ok(behaviour.ok, await behaviour.text());
    h.clock.set(await justAfterPeriodEnd(acmeStripe, subscription.id));
    await settle();
    const invoice = (await acmeStripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    assert.equal(invoice.billing_reason, 'subscription_cycle');

    // A month went by: the session ended; the operator signs in again.
    await signIn(page);
    await browser.screenshot(page, 'onboarding-4-merchant-list');
    assert.match(await textOf(page.locator('tr', { hasText: 'Acme Shoes' })), /ready/);
    await merchantPage();
    const rescueRow = page.locator('tr', { hasText: invoice.id });
    assert.equal(await rescueRow.count(), 1, 'the declined renewal is on the page');
    assert.match(await textOf(rescueRow), new RegExp(`mit[\\s\\S]*${SHOES}`), 'its flow and site');
    assert.match(await textOf(page.locator('.checklist')), /last Stripe event/);
    await browser.screenshot(page, 'onboarding-5-merchant-page-with-rescue');

    await Promise.all([page.waitForLoadState('load'), rescueRow.getByRole('link').click()]);
    assert.match(await textOf(page.locator('h1')), new RegExp(`Rescue of ${invoice.id}`));
    const history = await textOf(page.locator('section', { hasText: 'History' }));
    assert.match(history, /held|sent|recovered/);
    await browser.screenshot(page, 'onboarding-6-rescue-page');

    const phone = await browser.newPage('phone');
    await signIn(phone);
    await phone.goto(url(`/merchants/${MERCHANT}`));
    const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `the phone page scrolls sideways: ${width}px wide`);
    await browser.screenshot(phone, 'onboarding-7-merchant-page-phone');
    await phone.context().close();
  });

  it('recorded every change of the scenario with before and after, secrets redacted', async () => {
    const entries = await audit();
    const summary = entries.map((e) => `${e.action} ${e.target ?? ''} by ${e.actor}`.trim());
    assert.deepEqual(summary.slice(0, 2), [
      `merchant.created ${MERCHANT} by partner`,
      'engine.updated stripe by partner',
    ]);
    const find = (action: string, nth = 0) => entries.filter((e) => e.action === action)[nth];

    const created = find('merchant.created');
    assert.deepEqual([created?.before, created?.after?.name], [null, 'Acme Shoes']);
    const engine = find('engine.updated');
    assert.equal(engine?.before, null);
    assert.equal(valueAt(engine, 'after.apiKey.last4'), acmeKey.slice(-4));

    const [wrong, right] = entries.filter((e) => e.action === 'credentials.updated');
    assert.equal(wrong?.before, null);
    assert.equal(valueAt(wrong, 'after.appSecret.last4'), '0000');
    assert.equal(valueAt(right, 'before.appSecret.last4'), '0000');
    assert.equal(valueAt(right, 'after.appSecret.last4'), DEMO_CREDENTIAL.appSecret.slice(-4));
    assert.equal(right?.after?.mid, DEMO_CREDENTIAL.mid);

    const sites = entries.filter((e) => e.action === 'site.created');
    assert.deepEqual(
      sites.map((s) => [s.before, s.after?.url, s.after?.isDefault]),
      [
        [null, SHOES, true],
        [null, HATS, false],
      ],
    );
    const switched = find('site.updated');
    assert.deepEqual(
      [switched?.target, valueAt(switched, 'before.enabled.mit'), valueAt(switched, 'after.enabled.mit')],
      [sites[1]?.after?.id, true, false],
    );

    const flows = entries.filter((e) => e.action === 'flow.updated');
    assert.deepEqual(
      flows.map((f) => [f.target, f.before?.mode ?? null, f.after?.mode]),
      [
        ['mit', null, 'shadow'],
        ['mit', 'shadow', 'on'],
      ],
    );
    const [keyCreated, keyRevoked] = [find('api_key.created'), find('api_key.revoked')];
    assert.deepEqual([keyCreated?.before, keyCreated?.after?.name], [null, 'back office']);
    assert.deepEqual([keyRevoked?.before?.revokedAt, typeof keyRevoked?.after?.revokedAt], [null, 'string']);
    assert.equal(entries.length, 11, summary.join('\n'));

    const text = JSON.stringify(entries);
    for (const secret of [...SECRETS, acmeKey, webhookSecret, h.plugin.flexcharge.subscriberKey!])
      assert.equal(text.includes(secret), false, 'a secret in the audit log');

    // The same entries on the merchant's page, each with what changed.
    await merchantPage();
    const changes = await textOf(page.locator('table.audit'));
    assert.match(changes, /flow\.updated[\s\S]*mode: shadow → on/);
    assert.match(changes, /merchant\.created/);
    const html = await page.content();
    for (const secret of [...SECRETS, acmeKey, webhookSecret]) assert.equal(html.includes(secret), false);
  });
});
