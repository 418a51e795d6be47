import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { runMerchantsCommand } from '../../plugin/cli/merchants-command.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createTestDatabase } from '../support/test-database.js';

const KEY = randomBytes(32).toString('base64');
const APP_KEY = 'appkey-cli-7f3a9c1d2e4b';
const APP_SECRET = 'appsecret-cli-0a1b2c3d4e5f6a7b';
const WEBHOOK_KEY = Buffer.from('subscriber-key-of-the-portal').toString('base64');
const STRIPE_KEY = 'rk_test_Cli9Yw8Vu7Ts6Rq5P';
const WEBHOOK_SECRET = 'whsec_Cli2E3r4T5y6U7i8';
const SECRETS = [APP_KEY, APP_SECRET, WEBHOOK_KEY, STRIPE_KEY, WEBHOOK_SECRET];
const MID = '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7';

describe('flexcharge-mit merchants', () => {
  let database: DatabaseHandle;
  const printed: string[] = [];
  const config = loadConfig({ FLEXCHARGE_ENV: 'local', ENCRYPTION_KEY: KEY });
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.close());

  /** Runs the command in-process; answers its exit code and what it printed (stdout, stderr). */
  async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runMerchantsCommand(argv, config, {
      logger: silentLogger,
      print: (line) => out.push(line),
      printError: (line) => err.push(line),
      database,
      env: options.env ?? {},
      readStdin: async () => options.stdin ?? '',
      clock: new ManualClock('2026-06-12T14:30:00Z'),
    });
    printed.push(...out, ...err);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const json = async (argv: string[], options?: Parameters<typeof run>[1]) => {
    const result = await run([...argv, '--json'], options);
    assert.equal(result.code, 0, result.err);
    return JSON.parse(result.out);
  };

  it('creates and updates a merchant, and lists it', async () => {
    const created = await run(['put', 'acme', '--name', 'Acme']);
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /created merchant acme/);
    const updated = await json(['put', 'acme', '--name', 'Acme Ltd', '--site-metadata-key', 'shop']);
    assert.deepEqual(
      [updated.merchant.name, updated.merchant.siteMetadataKey, updated.merchant.orderChannelMetadataKey],
      ['Acme Ltd', 'shop', 'order_channel'],
    );
    assert.deepEqual((await run(['list'])).out, 'acme  Acme Ltd');
    assert.deepEqual(
      (await json(['list'])).merchants.map((m: { id: string }) => m.id),
      ['acme'],
    );
  });

  it('prints each bad field with its flag and exits 1', async () => {
    const bad = await run(['put', 'acme', '--name', '', '--order-channel-metadata-key', 'x'.repeat(41)]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /name \(--name\): must not be empty/);
    assert.match(bad.err, /orderChannelMetadataKey \(--order-channel-metadata-key\): must be at most 40/);
    const asJson = await run([
      'set-flow',
      'acme',
      'moto',
      '--mode',
      'maybe',
      '--environment',
      'sandbox',
      '--json',
    ]);
    assert.equal(asJson.code, 1);
    assert.deepEqual(Object.keys(JSON.parse(asJson.err).error.fields).sort(), ['flow', 'mode']);
    const unknown = await run(['show', 'nobody']);
    assert.deepEqual([unknown.code, unknown.err], [1, 'unknown merchant nobody']);
  });

  it('answers usage errors with exit 2, and refuses a secret given as an option', async () => {
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['show'])).code, 2);
    const secret = await run(['set-credentials', 'acme', '--app-secret', APP_SECRET]);
    assert.equal(secret.code, 2);
    assert.match(secret.err, /never taken on the command line: --app-secret-env VAR/);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    const listed = [...help.out.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(listed, [
      'list',
      'show',
      'put',
      'set-credentials',
      'remove-credentials',
      'set-flow',
      'add-site',
      'update-site',
      'remove-site',
      'set-engine',
    ]);
  });

  it('sets credentials from the environment variables the flags name, stored sealed', async () => {
    const env = { FC_APP_KEY: APP_KEY, FC_APP_SECRET: APP_SECRET, FC_WEBHOOK_KEY: WEBHOOK_KEY };
    const result = await run(
      [
        'set-credentials',
        'acme',
        '--environment',
        'production',
        '--mid',
        MID,
        '--app-key-env',
        'FC_APP_KEY',
        '--app-secret-env',
        'FC_APP_SECRET',
        '--webhook-key-env',
        'FC_WEBHOOK_KEY',
      ],
      { env },
    );
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /production: mid 6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7, app key set, ends 2e4b/);
    const { rows } = await sql<{ app_secret_ciphertext: Uint8Array }>`
      select app_secret_ciphertext from flexcharge_mit.merchant_flexcharge_credentials`.execute(database.db);
    assert.equal(rows.length, 1);
    assert.equal(Buffer.from(rows[0]?.app_secret_ciphertext ?? []).includes(APP_SECRET), false);

    const missing = await run(
      ['set-credentials', 'acme', '--environment', 'sandbox', '--mid', MID, '--app-key-env', 'UNSET_VAR'],
      { env },
    );
    assert.equal(missing.code, 1);
    assert.match(
      missing.err,
      /appKey \(--app-key-env or --from-stdin\): environment variable UNSET_VAR is not set/,
    );
  });

  it('sets credentials from JSON on standard input, and refuses what it does not know there', async () => {
    const stdin = JSON.stringify({ appKey: APP_KEY, appSecret: APP_SECRET, mid: MID });
    const done = await json(['set-credentials', 'acme', '--environment', 'sandbox', '--from-stdin'], {
      stdin,
    });
    assert.deepEqual(
      done.merchant.credentials.map((c: { environment: string }) => c.environment),
      ['production', 'sandbox'],
    );
    const typo = await run(['set-credentials', 'acme', '--environment', 'sandbox', '--from-stdin'], {
      stdin: JSON.stringify({ appKey: APP_KEY, appSecert: APP_SECRET }),
    });
    assert.equal(typo.code, 1);
    assert.match(typo.err, /appSecert: is not a field of stdin/);
    const broken = await run(['set-credentials', 'acme', '--environment', 'sandbox', '--from-stdin'], {
      stdin: `{"appSecret": ${APP_SECRET}}`,
    });
    assert.equal(broken.code, 1);
    assert.match(broken.err, /stdin: is not valid JSON/);
    const removed = await json(['remove-credentials', 'acme', '--environment', 'sandbox']);
    assert.deepEqual(
      removed.merchant.credentials.map((c: { environment: string }) => c.environment),
      ['production'],
    );
  });

  it('sets flows, and adds, updates, switches and removes sites', async () => {
    const flow = await json(['set-flow', 'acme', 'mit', '--mode', 'shadow', '--environment', 'production']);
    assert.deepEqual(flow.merchant.flows[0], { ...flow.merchant.flows[0], flow: 'mit', mode: 'shadow' });
    const shop = (
      await json(['add-site', 'acme', '--url', 'https://shop.acme.test', '--descriptor', 'ACME', '--default'])
    ).site;
    assert.equal(shop.isDefault, true);
    const store = (
      await json(['add-site', 'acme', '--descriptor', 'ACME STORE', '--cit-call-center', 'off', '--default'])
    ).site;
    assert.deepEqual(store.enabled, { mit: true, cit_website: true, cit_call_center: false });
    let sites = (await json(['show', 'acme'])).merchant.sites;
    assert.deepEqual(
      Object.fromEntries(sites.map((s: { id: string; isDefault: boolean }) => [s.id, s.isDefault])),
      { [shop.id]: false, [store.id]: true },
    );
    // Only what is given changes; '' clears a field.
    const updated = (await json(['update-site', 'acme', shop.id, '--descriptor', '', '--mit', 'off'])).site;
    assert.deepEqual(
      [updated.url, updated.statementDescriptor, updated.enabled.mit, updated.isDefault],
      ['https://shop.acme.test', null, false, false],
    );
    const badToggle = await run(['update-site', 'acme', shop.id, '--cit-website', 'maybe']);
    assert.equal(badToggle.code, 1);
    assert.match(badToggle.err, /enabled\.cit_website \(--cit-website\): must be on or off/);

    // A FlexCharge site id per environment, each set and cleared on its own.
    const sandboxId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
    const productionId = '8d9e0f1a-2b3c-4d5e-9f6a-7b8c9d0e1f2a';
    const withIds = (
      await json([
        'update-site',
        'acme',
        shop.id,
        '--flexcharge-sandbox-site-id',
        sandboxId,
        '--flexcharge-production-site-id',
        productionId,
      ])
    ).site;
    assert.deepEqual(withIds.flexchargeSiteIds, { sandbox: sandboxId, production: productionId });
    const shown = await run(['show', 'acme']);
    assert.match(shown.out, new RegExp(`FlexCharge site sandbox ${sandboxId}, production ${productionId}`));
    const sandboxCleared = (await json(['update-site', 'acme', shop.id, '--flexcharge-sandbox-site-id', '']))
      .site;
    assert.deepEqual(sandboxCleared.flexchargeSiteIds, { production: productionId });
    const productionCleared = (
      await json(['update-site', 'acme', shop.id, '--flexcharge-production-site-id', ''])
    ).site;
    assert.deepEqual(productionCleared.flexchargeSiteIds, {});
    const badId = await run([
      'add-site',
      'acme',
      '--url',
      'https://x.acme.test',
      '--flexcharge-sandbox-site-id',
      'x',
    ]);
    assert.equal(badId.code, 1);
    assert.match(badId.err, /flexchargeSiteIds\.sandbox \(--flexcharge-sandbox-site-id\): must be a GUID/);
    const idOnly = (await json(['add-site', 'acme', '--flexcharge-production-site-id', productionId])).site;
    assert.deepEqual([idOnly.url, idOnly.flexchargeSiteIds], [null, { production: productionId }]);
    await json(['remove-site', 'acme', idOnly.id]);
    await json(['update-site', 'acme', store.id, '--no-default']);
    await json(['remove-site', 'acme', shop.id]);
    sites = (await json(['show', 'acme'])).merchant.sites;
    assert.deepEqual(
      sites.map((s: { id: string; isDefault: boolean }) => [s.id, s.isDefault]),
      [[store.id, false]],
    );
    assert.equal((await run(['remove-site', 'acme', shop.id])).code, 1);
  });

  it('connects the billing engine with secrets from the environment, and never prints a secret', async () => {
    const done = await json(
      [
        'set-engine',
        'acme',
        'stripe',
        '--api-key-env',
        'SK',
        '--webhook-secret-env',
        'WH',
        '--stripe-account',
        'acct_1Acme',
      ],
      { env: { SK: STRIPE_KEY, WH: WEBHOOK_SECRET } },
    );
    assert.deepEqual(
      [done.merchant.engines[0].apiKey.last4, done.merchant.engines[0].stripeAccountId],
      ['Rq5P', 'acct_1Acme'],
    );
    const text = await run(['show', 'acme']);
    assert.match(
      text.out,
      /stripe: api key set, ends Rq5P, webhook secret set, ends U7i8, account acct_1Acme/,
    );
    assert.ok(printed.length > 20);
    for (const secret of SECRETS)
      for (const line of printed) assert.equal(line.includes(secret), false, 'a secret printed');
  });

  it('sets the write-back mode, and keeps it when the connection is set again without it', async () => {
    const env = { env: { SK: STRIPE_KEY } };
    const chosen = await json(
      ['set-engine', 'acme', 'stripe', '--api-key-env', 'SK', '--write-back-mode', 'payment_record'],
      env,
    );
    assert.equal(chosen.merchant.engines[0].writeBackMode, 'payment_record');
    const rotated = await json(['set-engine', 'acme', 'stripe', '--api-key-env', 'SK'], env);
    assert.equal(rotated.merchant.engines[0].writeBackMode, 'payment_record');
    const bad = await run(['set-engine', 'acme', 'stripe', '--write-back-mode', 'cheque']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--write-back-mode/);
  });

  it('runs as `flexcharge-mit merchants` from the command line', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fcm-cli-'));
    try {
      const cli = (args: string[], extra: Record<string, string> = {}) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'plugin/cli/main.ts', 'merchants', ...args], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ENCRYPTION_KEY: KEY, ...extra },
          timeout: 60_000,
        });
      const help = cli(['--help']);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /usage: flexcharge-mit merchants <subcommand>/);
      const put = cli(['put', 'acme', '--name', 'Acme']);
      assert.equal(put.status, 0, put.stderr);
      const creds = cli(
        [
          'set-credentials',
          'acme',
          '--environment',
          'sandbox',
          '--mid',
          MID,
          '--app-key-env',
          'K',
          '--app-secret-env',
          'S',
          '--json',
        ],
        { K: APP_KEY, S: APP_SECRET },
      );
      assert.equal(creds.status, 0, creds.stderr);
      assert.equal(JSON.parse(creds.stdout).merchant.credentials[0].appSecret.last4, '6a7b');
      for (const secret of SECRETS) assert.equal(`${creds.stdout}${creds.stderr}`.includes(secret), false);
      const bad = cli(['set-flow', 'acme', 'mit', '--mode', 'loud', '--environment', 'sandbox']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /mode \(--mode\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
