import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configJsonSchema, configSchema } from '../plugin/config/config-schema.js';
import { loadConfig } from '../plugin/config/load-config.js';
import { readManifest } from '../plugin/config/write-manifest.js';
import { ConfigError } from '../plugin/core/errors.js';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('starts on the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.PORT, 8080);
    assert.equal(config.FLEXCHARGE_ENV, 'local');
    assert.equal(config.RESCUE_EXPIRY_DAYS, 21);
  });

  it('reads numbers from strings and treats empty values as unset', () => {
    const config = loadConfig({ PORT: '9090', RESCUE_EXPIRY_DAYS: '14', DATABASE_URL: ' ' });
    assert.equal(config.PORT, 9090);
    assert.equal(config.RESCUE_EXPIRY_DAYS, 14);
    assert.equal(config.DATABASE_URL, undefined);
  });

  it('refuses an expiry below FlexCharge’s two-week minimum, naming the variable', () => {
    const err = configErrorOf({ RESCUE_EXPIRY_DAYS: '7' });
    assert.deepEqual(
      err.issues.map((i) => i.variable),
      ['RESCUE_EXPIRY_DAYS'],
    );
    assert.match(err.message, /RESCUE_EXPIRY_DAYS: must be at least 14/);
  });

  it('names every bad variable at once', () => {
    const err = configErrorOf({ PORT: 'eighty', FLEXCHARGE_ENV: 'staging', DATABASE_URL: 'mysql://x/y' });
    assert.deepEqual(err.issues.map((i) => i.variable).sort(), ['DATABASE_URL', 'FLEXCHARGE_ENV', 'PORT']);
    assert.match(err.message, /PORT: must be a number \(got "eighty"\)/);
  });

  it('never echoes a secret value in its error', () => {
    const err = configErrorOf({ ENCRYPTION_KEY: 'not-base64-secret!!', ADMIN_TOKEN: 'short-secret' });
    assert.doesNotMatch(err.message, /not-base64-secret|short-secret/);
    assert.match(err.message, /ENCRYPTION_KEY/);
    assert.match(err.message, /ADMIN_TOKEN/);
  });

  it('requires the FlexCharge key and secret together, and both in production', () => {
    assert.match(configErrorOf({ FLEXCHARGE_APP_KEY: 'k' }).message, /FLEXCHARGE_APP_SECRET/);
    assert.match(configErrorOf({ FLEXCHARGE_ENV: 'production' }).message, /FLEXCHARGE_APP_KEY: is required/);
  });

  it('matches the configuration JSON Schema carried in manifest.json (run `npm run manifest` after a change)', () => {
    assert.deepEqual(readManifest().configuration, configJsonSchema());
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(configSchema.shape).filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });
});
