import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { startPlugin } from '../../plugin/runtime/start-plugin.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import { createCardTokenRepository } from '../../plugin/storage/card-token-repository.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createTestDatabase } from '../support/test-database.js';

const ADMIN_TOKEN = 'card-token-admin-0123456789abcdef';
const KEY = randomBytes(32);
const TOKEN = 'fc_tok_4111abcd9f8e7d6c5b4a';

interface StoredRow {
  payment_method_id: string;
  token: string | null;
  token_ciphertext: Uint8Array | null;
  token_key_id: string | null;
}

describe('card tokens at rest', () => {
  let database: DatabaseHandle;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.close());

  const rows = async () =>
    (
      await sql<StoredRow>`select * from flexcharge_mit.card_tokens order by payment_method_id`.execute(
        database.db,
      )
    ).rows;
  const insertClear = (paymentMethodId: string, token: string) =>
    sql`insert into flexcharge_mit.card_tokens (merchant_id, engine, payment_method_id, token, created_at)
        values ('default', 'stripe', ${paymentMethodId}, ${token}, now())`.execute(database.db);

  async function withPlugin(run: (url: string) => Promise<void>) {
    const config = loadConfig({
      PORT: '0',
      FLEXCHARGE_ENV: 'local',
      ADMIN_TOKEN,
      ENCRYPTION_KEY: KEY.toString('base64'),
    });
    const plugin = await startPlugin(config, {
      logger: silentLogger,
      clock: new ManualClock(),
      database,
      startWorker: false,
    });
    try {
      await run(plugin.url);
    } finally {
      await plugin.stop();
    }
  }

  it('keeps a token registered through the admin API only as ciphertext, with the key id beside it', async () => {
    await withPlugin(async (url) => {
      await request(url)
        .put('/admin/card-tokens/stripe/pm_admin')
        .auth(ADMIN_TOKEN, { type: 'bearer' })
        .send({ token: TOKEN })
        .expect(204);
    });
    const [row] = await rows();
    assert.equal(row?.token, null);
    assert.equal(row?.token_key_id, createSecretBox(KEY).keyId);
    const bytes = Buffer.from(row?.token_ciphertext ?? []);
    assert.ok(bytes.length > TOKEN.length, 'nonce, ciphertext and tag');
    assert.equal(bytes.includes(Buffer.from(TOKEN)), false, 'no clear token in the stored bytes');
    assert.equal(
      await createCardTokenRepository(database.db, createSecretBox(KEY)).find(
        'default',
        'stripe',
        'pm_admin',
      ),
      TOKEN,
    );
  });

  it('encrypts tokens stored in clear by an earlier version when the plugin starts', async () => {
    await insertClear('pm_legacy_1', 'fc_tok_legacy_one');
    await insertClear('pm_legacy_2', 'fc_tok_legacy_two');
    await withPlugin(async () => {});
    const legacy = (await rows()).filter((r) => r.payment_method_id.startsWith('pm_legacy'));
    assert.equal(legacy.length, 2);
    for (const row of legacy) {
      assert.equal(row.token, null, row.payment_method_id);
      assert.ok(row.token_ciphertext && row.token_key_id);
    }
    const repo = createCardTokenRepository(database.db, createSecretBox(KEY));
    assert.equal(await repo.find('default', 'stripe', 'pm_legacy_2'), 'fc_tok_legacy_two');
  });

  it('does not open a ciphertext moved to another payment method’s row', async () => {
    const repo = createCardTokenRepository(database.db, createSecretBox(KEY));
    await repo.register({
      merchantId: 'default',
      engine: 'stripe',
      paymentMethodId: 'pm_a',
      token: 'fc_tok_a',
      now: new Date(),
    });
    await repo.register({
      merchantId: 'default',
      engine: 'stripe',
      paymentMethodId: 'pm_b',
      token: 'fc_tok_b',
      now: new Date(),
    });
    await sql`update flexcharge_mit.card_tokens set token_ciphertext =
      (select token_ciphertext from flexcharge_mit.card_tokens where payment_method_id = 'pm_a')
      where payment_method_id = 'pm_b'`.execute(database.db);
    await assert.rejects(repo.find('default', 'stripe', 'pm_b'), /does not authenticate/);
  });

  it('reports a token sealed under another key instead of returning garbage or nothing', async () => {
    const other = createCardTokenRepository(database.db, createSecretBox(randomBytes(32)));
    await assert.rejects(
      other.find('default', 'stripe', 'pm_a'),
      /sealed under key k1-\w+, but the configured key is k1-\w+/,
    );
  });
});
