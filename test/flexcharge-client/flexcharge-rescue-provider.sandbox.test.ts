import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMemoryCallLog } from '../../adapters/flexcharge/call-log.js';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { createFlexChargeSandbox, DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import type { RenewalFailure } from '../../plugin/core/billing-engine.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { money } from '../../plugin/core/money.js';
import { tokenizeRequest } from './fixtures.js';
import { renewalFailure, renewalSubmission } from './renewal-fixture.js';

/** The rescue-provider port over real HTTP against the local sandbox, on one manual clock. */

const DECISION_DELAY_MS = 60_000;

describe('FlexCharge rescue provider against the sandbox', () => {
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  const sandbox = createFlexChargeSandbox({ clock, decisionDelayMs: DECISION_DELAY_MS });
  let server: Awaited<ReturnType<typeof sandbox.listen>>;
  let provider: ReturnType<typeof createFlexChargeRescueProvider>;
  let client: ReturnType<typeof createFlexChargeClient>;
  const callLog = createMemoryCallLog();

  before(async () => {
    server = await sandbox.listen(0);
    client = createFlexChargeClient({
      baseUrl: server.baseUrl,
      environment: 'local',
      credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret },
      mid: DEMO_CREDENTIAL.mid,
      tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
      clock,
      maxRetries: 0,
      callLog,
    });
    provider = createFlexChargeRescueProvider({ client, environment: 'local', mid: DEMO_CREDENTIAL.mid });
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  async function submitted() {
    const { token } = await client.tokenize(tokenizeRequest());
    const invoiceId = `in_${randomUUID()}`;
    const decision = await provider.submitRenewal(
      renewalSubmission({
        rescueId: randomUUID(),
        merchantOrderId: invoiceId,
        cardToken: token,
        renewal: withWholeBillingAddress(renewalFailure({ invoiceId, failedAt: clock.now() })),
        expiresAt: new Date(clock.now().getTime() + 21 * 86_400_000),
      }),
    );
    assert.equal(decision.status, 'submitted');
    assert.ok(decision.orderId);
    return decision.orderId;
  }

  it('hands a renewal over with the fields the docs mark required, and follows the order to approval', async () => {
    const orderId = await submitted();
    const sent = callLog.records.findLast((r) => r.operation === 'evaluate')?.requestBody as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(sent.mid as unknown, DEMO_CREDENTIAL.mid);
    assert.deepEqual(Object.keys(sent.billingInformation ?? {}).sort(), [
      'addressLine1',
      'city',
      'country',
      'countryCode',
      'firstName',
      'lastName',
      'zipCode',
    ]);
    for (const field of [
      'responseCode',
      'responseCodeSource',
      'avsResultCode',
      'cvvResultCode',
      'cavvResultCode',
    ])
      assert.ok(sent.transaction?.[field], `transaction.${field}`);
    assert.equal(sent.subscription?.interval, 'monthly');
    assert.equal((await provider.outcome(orderId)).status, 'pending');

    clock.advance(DECISION_DELAY_MS + 1_000);
    await sandbox.runDue();
    const outcome = await provider.outcome(orderId);
    assert.equal(outcome.status, 'approved');
    assert.ok(outcome.status === 'approved');
    assert.deepEqual(outcome.collected, money(1999, 'EUR'));
    assert.match(outcome.confirmationId ?? '', /^[0-9A-F]{6,}$/);
  });

  it('reads a refunded order as refunded after a refund in major units', async () => {
    const orderId = await submitted();
    clock.advance(DECISION_DELAY_MS + 1_000);
    await sandbox.runDue();
    assert.equal((await provider.refund(orderId, money(1999, 'EUR'), 'paid elsewhere')).refunded, true);
    assert.deepEqual(await provider.outcome(orderId), { status: 'refunded', providerStatus: 'RETURNED' });
  });

  it('reads a cancelled order as not rescued', async () => {
    const orderId = await submitted();
    await provider.cancel(orderId, randomUUID());
    assert.deepEqual(await provider.outcome(orderId), { status: 'not_rescued', providerStatus: 'CANCELLED' });
  });

  it('reads an order FlexCharge has never seen as not found, through /outcome', async () => {
    assert.deepEqual(await provider.outcome(randomUUID()), { status: 'not_found' });
  });
});

/** The sandbox holds a billing address to all of §6.4 by default: street and city besides the rest. */
function withWholeBillingAddress(renewal: RenewalFailure): RenewalFailure {
  const card = renewal.card!;
  return {
    ...renewal,
    card: {
      ...card,
      billingAddress: { ...card.billingAddress!, line1: 'Unter den Linden 1', city: 'Berlin' },
    },
  };
}
