import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renewalDayDecision } from '../../plugin/runtime/renewal-day/renewal-day-wanted.js';
import { subscriptionsOption } from '../../plugin/runtime/renewal-day/start-renewal-day.js';

describe('whether `start` plays the renewal day', () => {
  it('plays it on the embedded defaults: nothing set, or only local tuning', () => {
    assert.deepEqual(renewalDayDecision({}, ['start']), { play: true });
    assert.deepEqual(
      renewalDayDecision(
        {
          FLEXCHARGE_ENV: 'local',
          PORT: '3000',
          DATA_DIR: '/tmp/x',
          SANDBOX_APPROVAL_RATE: '0.5',
          DATABASE_URL: ' ',
        },
        ['start', '--subscriptions', '50'],
      ),
      { play: true },
    );
  });

  it('never plays it when a real database, Stripe account or FlexCharge account is configured', () => {
    for (const env of [
      { DATABASE_URL: 'postgres://db/x' },
      { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' },
      { FLEXCHARGE_ENV: 'sandbox' },
      { FLEXCHARGE_ENV: 'production' },
      { FLEXCHARGE_APP_KEY: 'key', FLEXCHARGE_APP_SECRET: 'secret' },
      { FLEXCHARGE_BASE_URL: 'http://127.0.0.1:7070/v1' },
    ]) {
      const decision = renewalDayDecision(env, ['start']);
      assert.equal(decision.play, false, JSON.stringify(env));
    }
    assert.deepEqual(renewalDayDecision({ DATABASE_URL: 'postgres://db/x', FLEXCHARGE_MID: 'm' }, []), {
      play: false,
      why: 'configured: DATABASE_URL, FLEXCHARGE_MID',
    });
  });

  it('is skipped with --no-demo or RENEWAL_DAY=off', () => {
    assert.deepEqual(renewalDayDecision({}, ['start', '--no-demo']), { play: false, why: '--no-demo' });
    assert.deepEqual(renewalDayDecision({ RENEWAL_DAY: 'OFF' }, ['start']), {
      play: false,
      why: 'RENEWAL_DAY=off',
    });
  });

  it('reads --subscriptions N, 500 by default', () => {
    assert.equal(subscriptionsOption(['start']), 500);
    assert.equal(subscriptionsOption(['start', '--subscriptions', '10000']), 10_000);
    assert.throws(() => subscriptionsOption(['start', '--subscriptions', 'many']), /whole number/);
  });
});
