import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { seedDefaultMerchant } from '../../plugin/runtime/seed-default-merchant.js';
import { startPlugin } from '../../plugin/runtime/start-plugin.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const KEY = randomBytes(32);
const START = new Date('2026-06-12T14:30:00Z');

/** Every column of every row of the merchant tables, bytes as text, to look for a secret in clear. */
async function dumpMerchantTables(
  database: DatabaseHandle,
): Promise<{ text: string; counts: Record<string, number> }> {
  let text = '';
  const counts: Record<string, number> = {};
  for (const table of [
    'merchants',
    'merchant_flexcharge_credentials',
    'merchant_flows',
    'merchant_sites',
    'merchant_engine_connections',
  ]) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(
      `flexcharge_mit.${table}`,
    )}`.execute(database.db);
    counts[table] = rows.length;
    for (const row of rows) {
      for (const value of Object.values(row)) {
        text += `${value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value)}|`;
      }
    }
  }
  return { text, counts };
}

describe('the merchant configured from the environment, stored at every start', () => {
  let database: DatabaseHandle;
  const clock = new ManualClock(START);
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.close());

  const start = async (env: Record<string, string> = {}) => {
    const config = loadConfig({
      PORT: '0',
      FLEXCHARGE_ENV: 'local',
      ENCRYPTION_KEY: KEY.toString('base64'),
      ...env,
    });
    const plugin = await startPlugin(config, { logger: silentLogger, clock, database, startWorker: false });
    await plugin.stop();
  };
  const merchants = () => createMerchantRepository(database.db, createSecretBox(KEY));

  it('stores merchant default once however often the plugin starts, local credentials under sandbox', async () => {
    await start();
    clock.advance(60_000);
    await start();
    const { text, counts } = await dumpMerchantTables(database);
    assert.deepEqual(counts, {
      merchants: 1,
      merchant_flexcharge_credentials: 1,
      merchant_flows: 1,
      merchant_sites: 0,
      merchant_engine_connections: 0,
    });
    for (const secret of [DEMO_CREDENTIAL.appKey, DEMO_CREDENTIAL.appSecret]) {
      assert.equal(text.includes(secret), false, 'a credential in clear');
    }
    const details = await merchants().getMerchant('default');
    assert.deepEqual(
      details?.credentials.map((c) => [c.environment, c.mid]),
      [['sandbox', DEMO_CREDENTIAL.mid]],
    );
    assert.deepEqual(
      details?.flows.map((f) => [f.flow, f.mode, f.environment]),
      [['mit', 'on', 'sandbox']],
    );
    assert.deepEqual(details?.createdAt, START);
    const forUse = await merchants().flexChargeCredentialsForUse('default', 'sandbox');
    assert.equal(forUse?.appSecret.reveal(), DEMO_CREDENTIAL.appSecret);
  });

  it('follows the environment when it changes: new credentials, MIT mode, the other environment', async () => {
    await start({ MIT_MODE: 'off' });
    assert.deepEqual(
      (await merchants().getMerchant('default'))?.flows.map((f) => [f.flow, f.mode]),
      [['mit', 'off']],
    );

    const production = loadConfig({
      FLEXCHARGE_ENV: 'production',
      ENCRYPTION_KEY: KEY.toString('base64'),
      FLEXCHARGE_APP_KEY: 'prod-app-key-0123456789',
      FLEXCHARGE_APP_SECRET: 'prod-app-secret-abcdefabcdef',
      FLEXCHARGE_MID: '11111111-2222-4333-8444-555555555555',
      FLEXCHARGE_SITE_URL: 'https://shop.example.com',
      STRIPE_SECRET_KEY: 'rk_live_productionkey123',
      STRIPE_WEBHOOK_SECRET: 'whsec_productionsecret456',
    });
    const box = createSecretBox(KEY);
    const result = await seedDefaultMerchant(database.db, production, {
      box,
      clock,
      logger: silentLogger,
      merchantId: 'default',
    });
    assert.deepEqual(result, { seeded: true, environment: 'production' });
    const details = await merchants().getMerchant('default');
    // The sandbox set stays: a rescue started under it must still finish there.
    assert.deepEqual(
      details?.credentials.map((c) => [c.environment, c.mid, c.defaultSiteUrl]),
      [
        ['production', '11111111-2222-4333-8444-555555555555', 'https://shop.example.com'],
        ['sandbox', DEMO_CREDENTIAL.mid, null],
      ],
    );
    assert.deepEqual(
      details?.flows.map((f) => [f.flow, f.mode, f.environment]),
      [['mit', 'on', 'production']],
    );
    const engine = await merchants().engineConnectionForUse('default', 'stripe');
    assert.equal(engine?.apiKey?.reveal(), 'rk_live_productionkey123');
    assert.equal(engine?.webhookSecret?.reveal(), 'whsec_productionsecret456');

    const { text, counts } = await dumpMerchantTables(database);
    assert.equal(counts.merchant_flexcharge_credentials, 2);
    assert.equal(counts.merchant_flows, 1);
    for (const secret of [
      'prod-app-key-0123456789',
      'prod-app-secret-abcdefabcdef',
      'rk_live_productionkey123',
      'whsec_productionsecret456',
    ]) {
      assert.equal(text.includes(secret), false, 'a secret in clear');
    }
  });

  it('stores the merchant with MIT off and no credentials when none are configured', async () => {
    const config = loadConfig({ FLEXCHARGE_ENV: 'local' });
    const fresh = await createTestDatabase();
    try {
      const result = await seedDefaultMerchant(fresh.db, config, {
        box: createSecretBox(KEY),
        clock,
        logger: silentLogger,
        merchantId: 'default',
      });
      assert.deepEqual(result, { seeded: false });
      const { counts } = await dumpMerchantTables(fresh);
      assert.equal(counts.merchants, 1, 'the bare webhook routes act for it');
      assert.equal(counts.merchant_flexcharge_credentials, 0);
      const flows = await fresh.db.selectFrom('flexcharge_mit.merchant_flows').selectAll().execute();
      assert.deepEqual(
        flows.map((f) => [f.merchant_id, f.flow, f.mode]),
        [['default', 'mit', 'off']],
      );
    } finally {
      await fresh.close();
    }
  });
});
