import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type E2E, startE2E } from './plugin-harness.js';

/**
 * What one rescue costs in Stripe requests, from the failed renewal's webhooks to `held`. Every
 * request counts against Stripe's rate limit (about 100 per second per account in live mode), so this
 * figure caps how many rescues per second one large merchant can get; the burst benchmark's target is
 * 6. The budget below is today's figure (bench/README.md "Stripe requests per rescue" says what each
 * request is for): a change that costs more requests fails here and must say why.
 */
const BUDGET = 6;

describe('Stripe requests per rescue', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  it(`stays within ${BUDGET} from the failed renewal to held`, async () => {
    const { invoice } = await e.declinedRenewal();
    e.emulator.requests.reset();
    await e.settle();
    assert.equal((await e.rescueRow(invoice.id))?.state, 'held');
    const total = e.emulator.requests.total();
    const byKind = e.emulator.requests.snapshot();
    console.log(`Stripe requests from failure to held: ${total}\n${JSON.stringify(byKind, null, 2)}`);
    assert.ok(total <= BUDGET, `${total} requests: ${JSON.stringify(byKind)}`);
  });
});
