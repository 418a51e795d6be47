import { randomUUID } from 'node:crypto';
import { createFlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { createFlexChargeSandbox, DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { tokenizeRequest } from '../flexcharge-client/fixtures.js';
import { renewalFailure } from '../support/fakes/renewal-failure-fixture.js';
import { rescueProviderContract, type SubmissionFate } from './rescue-provider-contract.js';

/** Sandbox test cards: one it rescues as a managed MIT, one it never rescues (the order expires). */
const CARD: Record<SubmissionFate, string> = {
  rescued: '4000002760003184',
  not_rescued: '4000000000000002',
  refused_at_once: '4000002760003184',
};

/** The FlexCharge provider over the real client and real HTTP, against the local sandbox on a manual clock. */
rescueProviderContract('FlexCharge provider on the sandbox', async () => {
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  const sandbox = createFlexChargeSandbox({ clock, decisionDelayMs: 60_000 });
  const server = await sandbox.listen(0);
  const client = createFlexChargeClient({
    baseUrl: server.baseUrl,
    environment: 'local',
    credentials: { appKey: DEMO_CREDENTIAL.appKey, appSecret: DEMO_CREDENTIAL.appSecret },
    mid: DEMO_CREDENTIAL.mid,
    tokenizationKey: DEMO_CREDENTIAL.tokenizationKey,
    clock,
    maxRetries: 0,
  });
  return {
    provider: createFlexChargeRescueProvider({ client, environment: 'local', mid: DEMO_CREDENTIAL.mid }),
    async submission(fate) {
      const { token } = await client.tokenize(tokenizeRequest(CARD[fate]));
      const invoiceId = `in_${randomUUID()}`;
      const renewal = renewalFailure(invoiceId, { failedAt: clock.now() });
      return {
        rescueId: randomUUID(),
        merchantOrderId: invoiceId,
        renewal:
          fate === 'refused_at_once'
            ? {
                ...renewal,
                failedPayment: {
                  ...renewal.failedPayment,
                  declineCode: 'stolen_card',
                  networkDeclineCode: '43',
                },
              }
            : renewal,
        cardToken: token,
        expiresAt: new Date(clock.now().getTime() + 21 * DAY_MS),
        flow: 'mit',
        site: { kind: 'site_url', value: 'https://acme.example' },
        merchantSiteId: null,
      };
    },
    async finishWork() {
      clock.advance(22 * DAY_MS);
      await sandbox.runDue();
    },
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
});
