import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeEmulator } from '../../adapters/stripe/emulator/create-stripe-emulator.js';
import { INSTALL_MARK_KEY, INSTALL_MERCHANT_KEY } from '../../adapters/stripe/webhook-endpoint-install.js';
import { runInstallCommand, runUninstallCommand } from '../../plugin/cli/install-command.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { stripeWebhookEvents } from '../../plugin/runtime/stripe-setup.js';
import { resolveEncryptionKey } from '../../plugin/security/encryption-key.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import { createAuditLog } from '../../plugin/storage/audit-log.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { migrateToLatest } from '../../plugin/storage/migrate.js';
import { type Harness, startHarness, startWebhookReceiver, subscribe } from '../stripe-emulator/support.js';
import { createTestDatabase } from '../support/test-database.js';

const KEY = randomBytes(32).toString('base64');
const PUBLIC_URL = 'https://plugin.example.com/';

describe('flexcharge-mit install and uninstall, against the Stripe emulator', () => {
  let harness: Harness;
  let database: DatabaseHandle;
  const config = loadConfig({ FLEXCHARGE_ENV: 'local', ENCRYPTION_KEY: KEY });
  const box = createSecretBox(resolveEncryptionKey(config, silentLogger), []);
  const clock = new ManualClock('2026-06-12T14:30:00Z');

  before(async () => {
    harness = await startHarness();
    database = await createTestDatabase();
    await migrateToLatest(database.db);
    const merchants = createMerchantRepository(database.db, box);
    for (const id of ['acme', 'globex', 'initech'])
      await merchants.upsertMerchant({ id, name: id.toUpperCase() }, clock.now());
  });
  after(async () => {
    await database.close();
    await harness.close();
  });

  /** Runs a command in-process against the emulator; answers its exit code and output. */
  async function run(
    command: typeof runInstallCommand,
    argv: string[],
    options: { key?: string; apiBase?: string } = {},
  ) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await command(
      [...argv, '--api-key-env', 'STRIPE_KEY', '--api-base', options.apiBase ?? harness.server.url],
      config,
      {
        logger: silentLogger,
        print: (line) => out.push(line),
        printError: (line) => err.push(line),
        database,
        env: { STRIPE_KEY: options.key ?? harness.emulator.apiKey },
        clock,
      },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const install = (merchant: string, more: string[] = [], options?: Parameters<typeof run>[2]) =>
    run(runInstallCommand, ['--merchant', merchant, '--public-url', PUBLIC_URL, ...more], options);
  const uninstall = (merchant: string, options?: Parameters<typeof run>[2]) =>
    run(runUninstallCommand, ['--merchant', merchant], options);

  const endpoints = async () => (await harness.stripe.webhookEndpoints.list({ limit: 100 })).data;
  const ours = async (merchant: string) =>
    (await endpoints()).filter((e) => e.metadata[INSTALL_MERCHANT_KEY] === merchant);
  const connection = (merchant: string) =>
    createMerchantRepository(database.db, box).engineConnectionForUse(merchant, 'stripe');
  const auditOf = async (merchant: string) =>
    (await createAuditLog(database.db).list(merchant, { limit: 50 })).filter(
      (e) => e.action === 'engine.updated',
    );

  it('creates the endpoint with exactly the manifest events, stores its secret, and a second run changes nothing', async () => {
    const theirs = await harness.stripe.webhookEndpoints.create({
      url: 'https://merchant.example.com/stripe',
      enabled_events: ['invoice.paid'],
    });

    const first = await install('acme');
    assert.equal(first.code, 0, first.err);
    const [endpoint, ...more] = await ours('acme');
    assert.ok(endpoint);
    assert.deepEqual(more, []);
    assert.equal(endpoint.url, 'https://plugin.example.com/webhooks/stripe/acme');
    assert.deepEqual(endpoint.enabled_events, stripeWebhookEvents());
    assert.equal(endpoint.api_version, Stripe.API_VERSION);
    assert.equal(endpoint.metadata[INSTALL_MARK_KEY], 'installed');
    const stored = await connection('acme');
    assert.equal(stored?.apiKey?.reveal(), harness.emulator.apiKey);
    assert.equal(stored?.webhookEndpointId, endpoint.id);
    assert.match(stored?.webhookSecret?.reveal() ?? '', /^whsec_/);
    assert.match(first.out, new RegExp(`webhook endpoint ${endpoint.id} created`));
    assert.match(first.out, /FlexCharge credentials: none stored/);
    assert.match(
      first.out,
      /FlexCharge's portal: https:\/\/plugin\.example\.com\/webhooks\/flexcharge\/acme/,
    );
    assert.ok(!first.out.includes(stored?.webhookSecret?.reveal() ?? '-'), 'the secret is never printed');
    assert.equal((await auditOf('acme')).length, 1);
    assert.equal((await auditOf('acme'))[0]?.actor, 'cli');

    const second = await install('acme');
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, new RegExp(`webhook endpoint ${endpoint.id} unchanged`));
    assert.match(second.out, /already up to date/);
    assert.deepEqual(
      (await ours('acme')).map((e) => e.id),
      [endpoint.id],
    );
    assert.equal((await connection('acme'))?.webhookSecret?.reveal(), stored?.webhookSecret?.reveal());
    assert.equal((await auditOf('acme')).length, 1, 'a run that changes nothing leaves no audit entry');
    // The merchant's own endpoint was never touched.
    const { secret: _shownOnCreateOnly, ...theirsNow } = theirs;
    assert.deepEqual(await harness.stripe.webhookEndpoints.retrieve(theirs.id), theirsNow);
  });

  it('signs deliveries to the new endpoint with the secret it stored', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const result = await install('globex', ['--public-url', new URL(receiver.url).origin]);
      assert.equal(result.code, 0, result.err);
      await subscribe(harness.stripe);
      await harness.emulator.deliverPendingWebhooks();
      const secret = (await connection('globex'))?.webhookSecret?.reveal() ?? '';
      const types = receiver.received.map((delivery) => {
        const event = harness.stripe.webhooks.constructEvent(
          delivery.body,
          String(delivery.headers['stripe-signature']),
          secret,
        );
        return event.type;
      });
      assert.ok(types.includes('charge.succeeded'), types.join());
      assert.ok(types.every((t) => stripeWebhookEvents().includes(t as never)));
    } finally {
      await uninstall('globex');
      await receiver.close();
    }
  });

  it('brings its endpoint up to date in place, and replaces one whose secret it does not hold', async () => {
    const [before] = await ours('acme');
    assert.ok(before);
    await harness.stripe.webhookEndpoints.update(before.id, {
      disabled: true,
      enabled_events: ['invoice.paid'],
    });
    const moved = await install('acme', ['--public-url', 'https://moved.example.com']);
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.out, new RegExp(`webhook endpoint ${before.id} updated`));
    const [updated] = await ours('acme');
    assert.deepEqual(
      [updated?.id, updated?.url, updated?.status, updated?.enabled_events],
      [before.id, 'https://moved.example.com/webhooks/stripe/acme', 'enabled', stripeWebhookEvents()],
    );

    // The connection set by hand since (as `merchants set-engine` does): its secret is not that endpoint's.
    await createMerchantRepository(database.db, box).putEngineConnection(
      'acme',
      { engine: 'stripe', apiKey: harness.emulator.apiKey, webhookSecret: 'whsec_setByHand' },
      clock.now(),
    );
    for (const attempt of [1, 2]) {
      const again = await install('acme');
      assert.equal(again.code, 0, again.err);
      const now = await ours('acme');
      assert.equal(now.length, 1, `one endpoint of ours after run ${attempt}`);
      assert.notEqual(now[0]?.id, before.id);
      assert.equal((await connection('acme'))?.webhookEndpointId, now[0]?.id);
      assert.notEqual((await connection('acme'))?.webhookSecret?.reveal(), 'whsec_setByHand');
      if (attempt === 1) assert.match(again.out, new RegExp(`removed webhook endpoint ${before.id}`));
      else assert.match(again.out, /unchanged/);
    }
  });

  it('refuses a restricted key lacking webhook write, changing nothing; accepts one with every permission', async () => {
    const everything = {
      invoices: 'write',
      subscriptions: 'read',
      customers: 'read',
      payment_intents: 'read',
      charges: 'read',
      payment_methods: 'read',
      invoice_payments: 'read',
      setup_intents: 'read',
      events: 'read',
      account: 'read',
    } as const;
    const readOnlyEndpoints = harness.emulator.createRestrictedKey({
      ...everything,
      webhook_endpoints: 'read',
    });
    const before = await endpoints();
    for (const attempt of [1, 2]) {
      const refused = await install('initech', [], { key: readOnlyEndpoints });
      assert.equal(refused.code, 1, `run ${attempt}`);
      assert.match(refused.err, /lacks webhook_endpoints write/);
      assert.match(refused.err, /nothing was changed/);
      assert.deepEqual(await endpoints(), before);
      assert.equal(await connection('initech'), null);
    }

    const readOnlyInvoices = harness.emulator.createRestrictedKey({ ...everything, invoices: 'read' });
    const noInvoiceWrite = await install('initech', [], { key: readOnlyInvoices });
    assert.equal(noInvoiceWrite.code, 1);
    assert.match(noInvoiceWrite.err, /lacks invoices write/);

    const full = harness.emulator.createRestrictedKey({ ...everything, webhook_endpoints: 'write' });
    const done = await install('initech', [], { key: full });
    assert.equal(done.code, 0, done.err);
    assert.equal((await ours('initech')).length, 1);
    assert.equal((await connection('initech'))?.apiKey?.reveal(), full);
  });

  it('refuses a live key unless --live is given', async () => {
    const live = createStripeEmulator({ clock, apiKey: 'sk_live_EmulatorPlaysLive42' });
    const server = await live.listen(0);
    try {
      const options = { key: 'sk_live_EmulatorPlaysLive42', apiBase: server.url };
      for (const command of [install, (m: string) => uninstall(m, options)]) {
        const refused = await command('initech', [], options);
        assert.equal(refused.code, 1);
        assert.match(refused.err, /live key/);
        assert.match(refused.err, /--live/);
      }
      const liveStripe = new Stripe(options.key, { host: '127.0.0.1', port: server.port, protocol: 'http' });
      assert.deepEqual((await liveStripe.webhookEndpoints.list()).data, []);
      const allowed = await install('initech', ['--live'], options);
      assert.equal(allowed.code, 0, allowed.err);
      assert.match(allowed.out, /Stripe live account/);
      assert.equal((await liveStripe.webhookEndpoints.list()).data.length, 1);
    } finally {
      await live.close();
    }
  });

  it('uninstall removes only its endpoint and the secret it stored; a second run finds nothing', async () => {
    // initech now points at the live emulator's key: act on this emulator again first.
    assert.equal((await install('initech')).code, 0);
    const others = (await endpoints()).filter((e) => e.metadata[INSTALL_MERCHANT_KEY] !== 'initech');
    const [mine] = await ours('initech');
    assert.ok(mine);

    const first = await uninstall('initech');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`removed webhook endpoint ${mine.id}`));
    assert.match(first.out, /removed the signing secret/);
    assert.deepEqual(await endpoints(), others);
    const stored = await connection('initech');
    assert.equal(stored?.webhookSecret, null);
    assert.equal(stored?.webhookEndpointId, null);
    assert.equal(stored?.apiKey?.reveal(), harness.emulator.apiKey, 'the key stays stored');

    const second = await uninstall('initech');
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /nothing to remove in Stripe/);
    assert.match(second.out, /no signing secret stored by install/);
    assert.deepEqual(await endpoints(), others);
  });

  it('keeps the write-back mode the merchant chose through install and uninstall', async () => {
    await createMerchantRepository(database.db, box).putEngineConnection(
      'globex',
      { engine: 'stripe', apiKey: null, webhookSecret: null, writeBackMode: 'payment_record' },
      clock.now(),
    );
    assert.equal((await install('globex')).code, 0);
    assert.equal((await connection('globex'))?.writeBackMode, 'payment_record');
    assert.equal((await uninstall('globex')).code, 0);
    assert.equal((await connection('globex'))?.writeBackMode, 'payment_record');
  });

  it('answers usage errors with exit 2, and never takes a key on the command line', async () => {
    const out: string[] = [];
    const deps = { logger: silentLogger, print: (l: string) => out.push(l), database };
    assert.equal(await runInstallCommand(['--public-url', PUBLIC_URL], config, deps), 2);
    assert.match(out.join('\n'), /--merchant is required/);
    out.length = 0;
    assert.equal(await runInstallCommand(['--merchant', 'acme', '--api-key', 'sk_test_x'], config, deps), 2);
    assert.match(out.join('\n'), /--api-key-env VAR/);
    assert.ok(!out.join('\n').includes('sk_test_x'));
    out.length = 0;
    const unknown = await install('nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /unknown merchant nobody: create it first/);
  });
});
