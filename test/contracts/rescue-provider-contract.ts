import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ProviderError } from '../../plugin/core/errors.js';
import type { RenewalSubmission, RescueProvider } from '../../plugin/core/rescue-provider.js';

/**
 * What the rescue workflow relies on from any `RescueProvider`, run against the FlexCharge provider
 * over the real client and the local sandbox, and against the in-memory fake. Where FlexCharge's
 * docs leave a behaviour open, the case accepts each answer the docs allow and its name says so.
 */

/** Whether the provider will rescue a submission: the sandbox decides by card and decline code. */
export type SubmissionFate = 'rescued' | 'not_rescued' | 'refused_at_once';

export interface RescueProviderSubject {
  readonly provider: RescueProvider;
  /** A declined renewal ready to hand over, for a rescue and invoice of its own, meeting `fate`. */
  submission(fate: SubmissionFate): Promise<RenewalSubmission>;
  /** Runs the provider's time past every decision and expiry: rescued orders end approved, the rest expired. */
  finishWork(): Promise<void>;
  close(): Promise<void>;
}

const isFinalFault = (e: unknown) => e instanceof ProviderError && !e.retryable;

export function rescueProviderContract(
  name: string,
  makeSubject: () => Promise<RescueProviderSubject>,
): void {
  describe(`rescue-provider contract: ${name}`, () => {
    let subject: RescueProviderSubject;
    let provider: RescueProvider;
    beforeEach(async () => {
      subject = await makeSubject();
      provider = subject.provider;
    });
    afterEach(() => subject.close());

    /** A submitted order, by fate; fails the test unless the provider took it for asynchronous work. */
    async function submitted(fate: SubmissionFate = 'rescued') {
      const submission = await subject.submission(fate);
      const decision = await provider.submitRenewal(submission);
      assert.equal(decision.status, 'submitted');
      assert.ok(decision.orderId);
      return { submission, orderId: decision.orderId };
    }

    async function approvedOrder() {
      const order = await submitted('rescued');
      await subject.finishWork();
      assert.equal((await provider.outcome(order.orderId)).status, 'approved');
      return order;
    }

    describe('submitRenewal and outcome', () => {
      it('takes a declined renewal for asynchronous work and reads it as pending meanwhile', async () => {
        const { orderId } = await submitted();
        assert.equal((await provider.outcome(orderId)).status, 'pending');
      });

      it('makes one order when the same rescue is handed over twice', async () => {
        const { submission, orderId } = await submitted();
        const again = await provider.submitRenewal(submission);
        assert.notEqual(again.status, 'declined');
        assert.equal(again.orderId, orderId);
      });

      it('answers a hand-over it refuses at once as declined (sandbox policy: lost, stolen and fraud decline codes)', async () => {
        const decision = await provider.submitRenewal(await subject.submission('refused_at_once'));
        assert.equal(decision.status, 'declined');
      });

      it('reads a rescued order as approved, with its confirmation id', async () => {
        const { orderId } = await approvedOrder();
        const outcome = await provider.outcome(orderId);
        assert.equal(outcome.status, 'approved');
        assert.ok(outcome.status === 'approved' && outcome.confirmationId, 'a confirmation id');
      });

      it('reads an order not rescued by its expiry as not_rescued (EXPIRED, or CANCELLED as the order API names it)', async () => {
        const { orderId } = await submitted('not_rescued');
        await subject.finishWork();
        assertNotRescued(await provider.outcome(orderId));
      });

      it('reads an order id it never issued as not_found', async () => {
        assert.deepEqual(await provider.outcome(randomUUID()), { status: 'not_found' });
      });
    });

    describe('cancel', () => {
      it('stops a pending order, which then reads not_rescued CANCELLED', async () => {
        const { orderId } = await submitted();
        await provider.cancel(orderId, 'cancel-rsc-1');
        assert.deepEqual(await provider.outcome(orderId), {
          status: 'not_rescued',
          providerStatus: 'CANCELLED',
        });
      });

      it('repeated with the same key, does not fail and changes nothing', async () => {
        const { orderId } = await submitted();
        await provider.cancel(orderId, 'cancel-rsc-1');
        await provider.cancel(orderId, 'cancel-rsc-1');
        assert.deepEqual(await provider.outcome(orderId), {
          status: 'not_rescued',
          providerStatus: 'CANCELLED',
        });
      });

      it('of an order that expired meanwhile, does not fail and leaves it expired (sandbox policy; the expiry sweep relies on it)', async () => {
        const { orderId } = await submitted('not_rescued');
        await subject.finishWork();
        await provider.cancel(orderId, 'expire-rsc-1');
        assertNotRescued(await provider.outcome(orderId));
      });

      it('of an order that collected, is refused for good or leaves it approved (the docs only say to refund it instead)', async () => {
        const { orderId } = await approvedOrder();
        const refused = await provider.cancel(orderId, 'cancel-rsc-1').then(
          () => false,
          (e: unknown) => {
            assert.ok(isFinalFault(e), `a fault no retry cures, not ${e}`);
            return true;
          },
        );
        if (!refused) assert.equal((await provider.outcome(orderId)).status, 'approved');
      });

      it('of an order it never issued, is a fault no retry cures', async () => {
        await assert.rejects(provider.cancel(randomUUID(), 'cancel-rsc-1'), isFinalFault);
      });
    });

    describe('refund', () => {
      it('returns a collected payment; the order then reads approved or refunded (the sandbox keeps APPROVED: /outcome documents no RETURNED)', async () => {
        const { orderId, submission } = await approvedOrder();
        const result = await provider.refund(
          orderId,
          submission.renewal.amountDue,
          'invoice was paid elsewhere',
        );
        assert.equal(result.refunded, true, result.message ?? '');
        assert.ok(['approved', 'refunded'].includes((await provider.outcome(orderId)).status));
      });

      it('repeated, never refunds twice: afterwards nothing is left to refund', async () => {
        const { orderId, submission } = await approvedOrder();
        const amount = submission.renewal.amountDue;
        assert.equal((await provider.refund(orderId, amount, 'paid elsewhere')).refunded, true);
        await provider.refund(orderId, amount, 'paid elsewhere');
        const more = await provider.refund(orderId, { ...amount, amount: 100 }, 'paid elsewhere');
        assert.equal(more.refunded, false);
      });

      it('of an order that collected nothing, is refused as a value with a reason, not thrown', async () => {
        const { orderId, submission } = await submitted();
        const result = await provider.refund(orderId, submission.renewal.amountDue, 'paid elsewhere');
        assert.equal(result.refunded, false);
        assert.ok(result.message);
      });

      it('of an order it never issued, is a fault no retry cures', async () => {
        await assert.rejects(
          provider.refund(randomUUID(), { amount: 100, currency: 'EUR' }, 'x'),
          isFinalFault,
        );
      });
    });
  });
}

/** `GET /orders/{id}` has no Expired status (contract §8.1): an expired order reads Cancelled there. */
function assertNotRescued(outcome: unknown): void {
  assert.ok(
    typeof outcome === 'object' &&
      outcome !== null &&
      (outcome as { status?: string }).status === 'not_rescued' &&
      ['EXPIRED', 'CANCELLED'].includes((outcome as { providerStatus?: string }).providerStatus ?? ''),
    `not rescued: ${JSON.stringify(outcome)}`,
  );
}
