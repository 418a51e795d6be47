import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../plugin/core/clock.js';
import {
  createFakeRescueProvider,
  type FakeRescueProviderOptions,
} from '../support/fakes/fake-rescue-provider.js';
import { renewalFailure } from '../support/fakes/renewal-failure-fixture.js';
import {
  type RescueProviderSubject,
  rescueProviderContract,
  type SubmissionFate,
} from './rescue-provider-contract.js';

function fakeSubject(options: FakeRescueProviderOptions): RescueProviderSubject {
  const provider = createFakeRescueProvider(options);
  const fates = new Map<string, SubmissionFate>();
  const now = new Date('2026-06-12T14:30:00Z');
  return {
    provider,
    async submission(fate) {
      const rescueId = randomUUID();
      fates.set(rescueId, fate);
      if (fate === 'refused_at_once') provider.answerNext({ status: 'declined' });
      const invoiceId = `in_${randomUUID()}`;
      return {
        rescueId,
        merchantOrderId: invoiceId,
        renewal: renewalFailure(invoiceId, { failedAt: now }),
        cardToken: 'fct_jenny_card',
        expiresAt: new Date(now.getTime() + 21 * DAY_MS),
        flow: 'mit',
        site: { kind: 'site_url', value: 'https://acme.example' },
        merchantSiteId: null,
      };
    },
    async finishWork() {
      for (const [rescueId, fate] of fates) {
        const order = provider.orderOf(rescueId);
        if (order?.status === 'submitted')
          provider.settle(order.id, fate === 'rescued' ? 'approved' : 'expired');
      }
    },
    close: async () => {},
  };
}

// Each behaviour FlexCharge's docs leave open, in both its forms: the workflow must cope with either.
rescueProviderContract('in-memory fake, as the sandbox answers', async () => fakeSubject({}));
rescueProviderContract('in-memory fake, the other answers the docs allow', async () =>
  fakeSubject({ cancelCompleted: 'accept', refundRepeated: 'refuse', refundedOutcome: 'refunded' }),
);
