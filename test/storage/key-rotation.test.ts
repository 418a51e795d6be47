import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { runKeysCommand } from '../../plugin/cli/keys-command.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ConfigError } from '../../plugin/core/errors.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import { createCardTokenRepository } from '../../plugin/storage/card-token-repository.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createMerchantRepository } from '../../plugin/storage/merchant-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-06-12T14:30:00Z');
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const KEY_C = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');
const CREDENTIALS = {
  environment: 'sandbox' as const,
  appKey: 'appkey-sandbox-112233445566',
  appSecret: 'appsecret-sandbox-778899aabbcc',
  mid: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
  webhookKey: b64(Buffer.from('portal subscriber key')),
};

/** Every `<secret>_key_id` value stored in the three tables that hold secrets. */
async function storedKeyIds(database: DatabaseHandle): Promise<string[]> {
  const ids: string[] = [];
  for (const table of ['card_tokens', 'merchant_flexcharge_credentials', 'merchant_engine_connections']) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(
      `flexcharge_mit.${table}`,
    )}`.execute(database.db);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (column.endsWith('_key_id') && value !== null) ids.push(String(value));
      }
    }
  }
  return ids;
}

describe('key rotation (flexcharge-mit keys rotate)', () => {
  let database: DatabaseHandle;
  const lines: string[] = [];
  const rotate = (env: Record<string, string>) =>
    runKeysCommand(['rotate'], loadConfig({ FLEXCHARGE_ENV: 'local', ...env }), {
      logger: silentLogger,
      print: (line) => lines.push(line),
      database,
    });

  before(async () => {
    database = await createTestDatabase();
    const boxA = createSecretBox(KEY_A);
    const merchants = createMerchantRepository(database.db, boxA);
    await merchants.upsertMerchant({ id: 'acme', name: 'Acme' }, NOW);
    await merchants.putFlexChargeCredentials('acme', CREDENTIALS, NOW);
    await merchants.putEngineConnection(
      'acme',
      { engine: 'stripe', apiKey: 'sk_test_abcdefghijkl', webhookSecret: 'whsec_mnopqrstuvwx' },
      NOW,
    );
    const tokens = createCardTokenRepository(database.db, boxA);
    for (const pm of ['pm_1', 'pm_2']) {
      await tokens.register({
        merchantId: 'acme',
        engine: 'stripe',
        paymentMethodId: pm,
        token: `tok_${pm}`,
        now: NOW,
      });
    }
  });
  after(() => database.close());

  it('re-seals every secret sealed under the previous key under the current one, all still opening', async () => {
    assert.deepEqual(new Set(await storedKeyIds(database)), new Set([createSecretBox(KEY_A).keyId]));
    const code = await rotate({ ENCRYPTION_KEY: b64(KEY_B), ENCRYPTION_KEY_PREVIOUS: b64(KEY_A) });
    assert.equal(code, 0, lines.join('\n'));
    // 2 card tokens, 3 credential secrets, 2 engine secrets.
    assert.match(lines.at(-1) ?? '', /: 7 re-encrypted, 0 already current$/);
    const ids = await storedKeyIds(database);
    assert.equal(ids.length, 7);
    assert.deepEqual(new Set(ids), new Set([createSecretBox(KEY_B).keyId]));

    // Key B alone opens everything: key A can now be retired.
    const boxB = createSecretBox(KEY_B);
    const credentials = await createMerchantRepository(database.db, boxB).flexChargeCredentialsForUse(
      'acme',
      'sandbox',
    );
    assert.equal(credentials?.appKey.reveal(), CREDENTIALS.appKey);
    assert.equal(credentials?.appSecret.reveal(), CREDENTIALS.appSecret);
    assert.equal(credentials?.webhookKey?.reveal(), CREDENTIALS.webhookKey);
    const engine = await createMerchantRepository(database.db, boxB).engineConnectionForUse('acme', 'stripe');
    assert.equal(engine?.apiKey?.reveal(), 'sk_test_abcdefghijkl');
    assert.equal(engine?.webhookSecret?.reveal(), 'whsec_mnopqrstuvwx');
    assert.equal(
      await createCardTokenRepository(database.db, boxB).find('acme', 'stripe', 'pm_2'),
      'tok_pm_2',
    );
  });

  it('changes nothing when run again', async () => {
    lines.length = 0;
    assert.equal(await rotate({ ENCRYPTION_KEY: b64(KEY_B), ENCRYPTION_KEY_PREVIOUS: b64(KEY_A) }), 0);
    assert.match(lines[0] ?? '', /: 0 re-encrypted, 7 already current$/);
  });

  it('reports a secret under a key it was not given, leaves it as it is, and exits non-zero', async () => {
    await createCardTokenRepository(database.db, createSecretBox(KEY_C)).register({
      merchantId: 'acme',
      engine: 'stripe',
      paymentMethodId: 'pm_lost',
      token: 'tok_lost',
      now: NOW,
    });
    lines.length = 0;
    const code = await rotate({ ENCRYPTION_KEY: b64(KEY_B), ENCRYPTION_KEY_PREVIOUS: b64(KEY_A) });
    assert.equal(code, 1);
    const keyC = createSecretBox(KEY_C).keyId;
    assert.deepEqual(lines.slice(1), [
      `not re-encrypted: card_tokens merchant_id=acme engine=stripe payment_method_id=pm_lost token: sealed under ${keyC}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEY_PREVIOUS`,
    ]);
    const { rows } = await sql<{ token_key_id: string }>`
      select token_key_id from flexcharge_mit.card_tokens where payment_method_id = 'pm_lost'`.execute(
      database.db,
    );
    assert.equal(rows[0]?.token_key_id, keyC);
    // With key C given as a previous key, the row is re-sealed too.
    lines.length = 0;
    assert.equal(
      await rotate({ ENCRYPTION_KEY: b64(KEY_B), ENCRYPTION_KEY_PREVIOUS: `${b64(KEY_A)},${b64(KEY_C)}` }),
      0,
    );
    assert.match(lines[0] ?? '', /: 1 re-encrypted, 7 already current$/);
  });

  it('reports a ciphertext that does not authenticate for its row', async () => {
    await createCardTokenRepository(database.db, createSecretBox(KEY_A)).register({
      merchantId: 'acme',
      engine: 'stripe',
      paymentMethodId: 'pm_moved',
      token: 'tok_moved',
      now: NOW,
    });
    // A ciphertext copied from another row is bound to that row and must not be re-sealed for this one.
    await sql`update flexcharge_mit.card_tokens set payment_method_id = 'pm_elsewhere'
      where payment_method_id = 'pm_moved'`.execute(database.db);
    lines.length = 0;
    assert.equal(await rotate({ ENCRYPTION_KEY: b64(KEY_B), ENCRYPTION_KEY_PREVIOUS: b64(KEY_A) }), 1);
    assert.match(lines[1] ?? '', /payment_method_id=pm_elsewhere token: does not open under k1-\w+/);
  });

  it('refuses a malformed ENCRYPTION_KEY_PREVIOUS by name, without echoing it', () => {
    const err = (() => {
      try {
        loadConfig({ ENCRYPTION_KEY_PREVIOUS: `${b64(KEY_A)},c2hvcnQ=` });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.issues.map((i) => i.variable),
      ['ENCRYPTION_KEY_PREVIOUS'],
    );
    assert.equal(err.message.includes(b64(KEY_A)), false);
  });
});
