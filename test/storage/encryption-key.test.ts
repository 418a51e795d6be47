import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../plugin/config/load-config.js';
import { ConfigError } from '../../plugin/core/errors.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { LOCAL_KEY_FILE, resolveEncryptionKey } from '../../plugin/security/encryption-key.js';

describe('ENCRYPTION_KEY', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fcm-key-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is generated once under DATA_DIR in the local mode when unset, readable by its owner only, and reused', () => {
    const config = loadConfig({ FLEXCHARGE_ENV: 'local', DATA_DIR: dataDir });
    const first = resolveEncryptionKey(config, silentLogger);
    assert.equal(first.length, 32);
    const file = join(dataDir, LOCAL_KEY_FILE);
    assert.equal(statSync(file).mode & 0o077, 0, 'no access for group or others');
    assert.equal(readFileSync(file, 'utf8').trim(), first.toString('base64'));
    assert.deepEqual(resolveEncryptionKey(config, silentLogger), first, 'the same key on the next start');
  });

  it('is the configured one when set, whatever the mode', () => {
    const key = Buffer.alloc(32, 9);
    const config = loadConfig({
      FLEXCHARGE_ENV: 'local',
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: key.toString('base64'),
    });
    assert.deepEqual(resolveEncryptionKey(config, silentLogger), key);
  });

  it('must be set outside the local mode: the start is refused, naming ENCRYPTION_KEY', () => {
    for (const env of ['sandbox', 'production']) {
      assert.throws(
        () => loadConfig({ FLEXCHARGE_ENV: env, FLEXCHARGE_APP_KEY: 'k', FLEXCHARGE_APP_SECRET: 's' }),
        (err: unknown) =>
          err instanceof ConfigError && err.issues.some((i) => i.variable === 'ENCRYPTION_KEY'),
        env,
      );
    }
    const withKey = loadConfig({
      FLEXCHARGE_ENV: 'sandbox',
      FLEXCHARGE_MID: 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45',
      FLEXCHARGE_SITE_URL: 'https://shop.example.com',
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    assert.equal(withKey.FLEXCHARGE_ENV, 'sandbox');
  });
});
