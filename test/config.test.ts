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

  it('requires the FlexCharge key and secret together', () => {
    assert.match(configErrorOf({ FLEXCHARGE_APP_KEY: 'k' }).message, /FLEXCHARGE_APP_SECRET/);
  });

  it("configures a partner's process without a merchant of its own (merchants are stored)", () => {
    const partner = loadConfig({
      FLEXCHARGE_ENV: 'production',
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      STRIPE_SECRET_KEY: 'sk_live_platform',
      STRIPE_WEBHOOK_SECRET: 'whsec_platform',
      STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect',
    });
    assert.equal(partner.FLEXCHARGE_APP_KEY, undefined);
  });

  it('refuses to start against a hosted FlexCharge without the merchant id and a site, naming them', () => {
    const hosted = {
      FLEXCHARGE_APP_KEY: 'k',
      FLEXCHARGE_APP_SECRET: 's',
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    for (const env of ['sandbox', 'production']) {
      // A live Stripe key goes with production FlexCharge (mixed live and test money is refused).
      const stripe: Record<string, string> =
        env === 'production' ? { STRIPE_SECRET_KEY: 'rk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' } : {};
      const err = configErrorOf({ ...hosted, ...stripe, FLEXCHARGE_ENV: env });
      assert.deepEqual(
        err.issues.map((i) => i.variable).sort(),
        ['FLEXCHARGE_MID', 'FLEXCHARGE_SITE_ID'],
        env,
      );
      assert.match(err.message, /FLEXCHARGE_MID: is required when FLEXCHARGE_ENV=/);
      assert.match(err.message, /FLEXCHARGE_SITE_ID: .*FLEXCHARGE_SITE_URL/);
    }
    const mid = 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45';
    const bySiteUrl = loadConfig({
      ...hosted,
      STRIPE_SECRET_KEY: 'rk_live_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      FLEXCHARGE_ENV: 'production',
      FLEXCHARGE_MID: mid,
      FLEXCHARGE_SITE_URL: 'https://shop.example.com',
    });
    assert.equal(bySiteUrl.FLEXCHARGE_MID, mid);
    const bySiteId = loadConfig({
      ...hosted,
      FLEXCHARGE_ENV: 'sandbox',
      FLEXCHARGE_MID: mid,
      FLEXCHARGE_SITE_ID: 'ffae80fd-2b8e-487a-94c3-87503a0c71bb',
    });
    assert.equal(bySiteId.FLEXCHARGE_ENV, 'sandbox');
  });

  it('needs no merchant id or site for the bundled local sandbox', () => {
    assert.equal(loadConfig({ FLEXCHARGE_ENV: 'local' }).FLEXCHARGE_MID, undefined);
  });

  it('matches the configuration JSON Schema carried in manifest.json (run `npm run manifest` after a change)', () => {
    assert.deepEqual(readManifest().configuration, configJsonSchema());
  });

  it('documents every variable in the configuration reference', () => {
    const reference = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const missing = Object.keys(configSchema.shape).filter((name) => !reference.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });
});
