import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { money } from '../../plugin/core/money.js';
import { type Answer, scriptedFetch } from './scripted-fetch.js';

/** The rescue-provider port over a scripted FlexCharge: what each FlexCharge answer becomes. */

const MID = '7c2ff0e4-6d4c-4a49-9f0a-1d6b2c0c5e11';

function providerAnswering(answers: Answer[]) {
  const script = scriptedFetch(answers);
  const client = createFlexChargeClient({
    baseUrl: 'http://flexcharge.test/v1',
    environment: 'sandbox',
    credentials: { appKey: 'app-key-0123456789', appSecret: 'app-secret-0123456789' },
    mid: MID,
    clock: new ManualClock('2026-06-12T14:30:00Z'),
    fetchImpl: script.fetchImpl,
    maxRetries: 0,
  });
  const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
  return { provider, script };
}

const refunded = () => Response.json({ status: 'SUCCESS', success: true });

describe('FlexCharge rescue provider: refund', () => {
  it('sends amountToRefund in major units by Stripe’s exponents: ISK 500 is 5 króna, KWD 5120 is 5.12', async () => {
    const { provider, script } = providerAnswering([refunded(), refunded(), refunded()]);
    await provider.refund('ord-1', money(500, 'ISK'), 'paid elsewhere');
    await provider.refund('ord-2', money(5120, 'KWD'), 'paid elsewhere');
    await provider.refund('ord-3', money(1999, 'USD'), 'paid elsewhere');
    assert.deepEqual(
      script.apiCalls().map((call) => (call.body as { amountToRefund: number }).amountToRefund),
      [5, 5.12, 19.99],
    );
  });
});
