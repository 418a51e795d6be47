import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BillingEngineAdapter, RecoveredPayment } from '../../plugin/core/billing-engine.js';
import { NotFoundError, ProviderError } from '../../plugin/core/errors.js';
import type { Money } from '../../plugin/core/money.js';

/**
 * What the rescue workflow relies on from any `BillingEngineAdapter`, run against the Stripe
 * adapter on the emulator and against the in-memory fake, so step tests on the fake hold on Stripe.
 */

/** An adapter, and a way to make the engine's world happen around it. */
export interface BillingEngineSubject {
  readonly engine: BillingEngineAdapter;
  /** An open invoice of a subscription renewal the engine charged off-session itself, declined. */
  declinedRenewal(): Promise<{ invoiceId: string; subscriptionId: string; amountDue: Money }>;
  /** The customer pays the invoice through the engine, outside the plugin. */
  payElsewhere(invoiceId: string): Promise<void>;
  /** The merchant voids the invoice. */
  voidInvoice(invoiceId: string): Promise<void>;
  /** The merchant cancels the invoice's subscription now. */
  cancelSubscription(invoiceId: string): Promise<void>;
  /** The merchant switches the invoice's automatic collection on or off. */
  setAutoAdvance(invoiceId: string, on: boolean): Promise<void>;
  close(): Promise<void>;
}

const UNTIL = new Date('2026-03-01T00:00:00Z');

export function billingEngineContract(name: string, makeSubject: () => Promise<BillingEngineSubject>): void {
  describe(`billing-engine contract: ${name}`, () => {
    let subject: BillingEngineSubject;
    let engine: BillingEngineAdapter;
    beforeEach(async () => {
      subject = await makeSubject();
      engine = subject.engine;
    });
    afterEach(() => subject.close());

    const hold = (invoiceId: string, rescueId = 'rsc_1') =>
      engine.holdRetries(invoiceId, { rescueId, until: UNTIL });
    const release = (invoiceId: string, rescueId = 'rsc_1', restoreAutoAdvance = true) =>
      engine.releaseHold(invoiceId, { rescueId, restoreAutoAdvance, reason: 'not rescued' });
    const payment = (amount: Money, rescueId = 'rsc_1'): RecoveredPayment => ({
      rescueId,
      idempotencyKey: `writeback-${rescueId}`,
      amount,
      providerOrderId: 'order-1',
      confirmationId: 'C0FFEE',
      recoveredAt: UNTIL,
      initiatedAt: UNTIL,
      collectedAt: UNTIL,
    });

    describe('reading the invoice', () => {
      it('reads a declined renewal as open, collecting automatically, paid by no rescue, its subscription not cancelled', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        const snapshot = await engine.invoiceStatus(invoiceId);
        assert.equal(snapshot.invoiceId, invoiceId);
        assert.equal(snapshot.status, 'open');
        assert.equal(snapshot.autoAdvance, true);
        assert.equal(snapshot.paidByRescueId, null);
        assert.notEqual(snapshot.subscriptionStatus, 'canceled');
      });

      it("re-reads the failure as the engine's own first automatic attempt at a renewal, with the amount still owed", async () => {
        const { invoiceId, subscriptionId, amountDue } = await subject.declinedRenewal();
        const renewal = await engine.loadRenewalFailure(invoiceId);
        assert.equal(renewal.invoiceId, invoiceId);
        assert.equal(renewal.invoiceStatus, 'open');
        assert.equal(renewal.billingReason, 'subscription_cycle');
        assert.equal(renewal.automaticCollection, true);
        assert.equal(renewal.engineInitiated, true);
        assert.equal(renewal.attemptCount, 1);
        assert.deepEqual(renewal.amountDue, amountDue);
        assert.equal(renewal.subscription.id, subscriptionId);
      });

      it('reads an invoice the customer paid as paid by no rescue, in the snapshot and the re-read failure', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.payElsewhere(invoiceId);
        const snapshot = await engine.invoiceStatus(invoiceId);
        assert.equal(snapshot.status, 'paid');
        assert.equal(snapshot.paidByRescueId, null);
        assert.equal((await engine.loadRenewalFailure(invoiceId)).invoiceStatus, 'paid');
      });

      it('reads a voided invoice as void', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.voidInvoice(invoiceId);
        assert.equal((await engine.invoiceStatus(invoiceId)).status, 'void');
      });

      it("reads a cancelled subscription as 'canceled', the spelling the poll step checks", async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.cancelSubscription(invoiceId);
        assert.equal((await engine.invoiceStatus(invoiceId)).subscriptionStatus, 'canceled');
      });

      it('reports an invoice it does not know as NotFoundError', async () => {
        await assert.rejects(engine.invoiceStatus('in_does_not_exist'), NotFoundError);
      });
    });

    describe('holdRetries', () => {
      it('switches automatic collection off and returns what it was', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        assert.deepEqual(await hold(invoiceId), { previousAutoAdvance: true, invoiceStatus: 'open' });
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, false);
      });

      it('repeated by the same rescue returns the remembered value, not the false it left behind', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        assert.deepEqual(await hold(invoiceId), { previousAutoAdvance: true, invoiceStatus: 'open' });
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, false);
      });

      it('remembers false when the merchant had switched automatic collection off', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.setAutoAdvance(invoiceId, false);
        assert.deepEqual(await hold(invoiceId), { previousAutoAdvance: false, invoiceStatus: 'open' });
      });

      it('by a later rescue over a hold never released, inherits the value the first hold remembered', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId, 'rsc_old');
        assert.deepEqual(await hold(invoiceId, 'rsc_new'), {
          previousAutoAdvance: true,
          invoiceStatus: 'open',
        });
      });

      it('holds again when someone switched automatic collection back on under the hold', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        await subject.setAutoAdvance(invoiceId, true);
        assert.deepEqual(await hold(invoiceId), { previousAutoAdvance: true, invoiceStatus: 'open' });
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, false);
      });

      it('refuses to hold a paid invoice with a fault that no retry cures (Stripe takes auto_advance on draft and open invoices only)', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.payElsewhere(invoiceId);
        await assert.rejects(hold(invoiceId), (e: unknown) => e instanceof ProviderError && !e.retryable);
      });
    });

    describe('releaseHold', () => {
      it('restores the automatic collection the hold remembered', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        await release(invoiceId);
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, true);
      });

      it('restores false when that is what the merchant had', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await subject.setAutoAdvance(invoiceId, false);
        const { previousAutoAdvance } = await hold(invoiceId);
        await release(invoiceId, 'rsc_1', previousAutoAdvance);
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, false);
      });

      it('repeated, changes nothing and does not fail', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        await release(invoiceId);
        await release(invoiceId);
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, true);
      });

      it('does nothing to an invoice paid meanwhile', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        await subject.payElsewhere(invoiceId);
        await release(invoiceId);
        const snapshot = await engine.invoiceStatus(invoiceId);
        assert.equal(snapshot.status, 'paid');
        assert.equal(snapshot.autoAdvance, false);
      });

      it('does nothing to an invoice voided meanwhile', async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId);
        await subject.voidInvoice(invoiceId);
        await release(invoiceId);
        assert.equal((await engine.invoiceStatus(invoiceId)).status, 'void');
      });

      it("leaves another rescue's hold in place", async () => {
        const { invoiceId } = await subject.declinedRenewal();
        await hold(invoiceId, 'rsc_2');
        await release(invoiceId, 'rsc_1');
        assert.equal((await engine.invoiceStatus(invoiceId)).autoAdvance, false);
      });
    });

    describe('recordRecoveredPayment', () => {
      it('marks the held invoice paid by this rescue', async () => {
        const { invoiceId, amountDue } = await subject.declinedRenewal();
        await hold(invoiceId);
        assert.equal(
          (await engine.recordRecoveredPayment(invoiceId, payment(amountDue))).outcome,
          'recorded',
        );
        const snapshot = await engine.invoiceStatus(invoiceId);
        assert.equal(snapshot.status, 'paid');
        assert.equal(snapshot.paidByRescueId, 'rsc_1');
      });

      it('repeated, answers already_recorded and leaves the invoice as it was', async () => {
        const { invoiceId, amountDue } = await subject.declinedRenewal();
        await engine.recordRecoveredPayment(invoiceId, payment(amountDue));
        const before = await engine.invoiceStatus(invoiceId);
        assert.equal(
          (await engine.recordRecoveredPayment(invoiceId, payment(amountDue))).outcome,
          'already_recorded',
        );
        assert.deepEqual(await engine.invoiceStatus(invoiceId), before);
      });

      it('answers paid_elsewhere for an invoice the customer paid first, and does not claim it', async () => {
        const { invoiceId, amountDue } = await subject.declinedRenewal();
        await hold(invoiceId);
        await subject.payElsewhere(invoiceId);
        assert.equal(
          (await engine.recordRecoveredPayment(invoiceId, payment(amountDue))).outcome,
          'paid_elsewhere',
        );
        assert.equal((await engine.invoiceStatus(invoiceId)).paidByRescueId, null);
      });

      it('answers paid_elsewhere for a voided invoice', async () => {
        const { invoiceId, amountDue } = await subject.declinedRenewal();
        await subject.voidInvoice(invoiceId);
        assert.equal(
          (await engine.recordRecoveredPayment(invoiceId, payment(amountDue))).outcome,
          'paid_elsewhere',
        );
      });

      it('answers paid_elsewhere to another rescue once this one recorded its payment', async () => {
        const { invoiceId, amountDue } = await subject.declinedRenewal();
        await engine.recordRecoveredPayment(invoiceId, payment(amountDue, 'rsc_1'));
        assert.equal(
          (await engine.recordRecoveredPayment(invoiceId, payment(amountDue, 'rsc_2'))).outcome,
          'paid_elsewhere',
        );
        assert.equal((await engine.invoiceStatus(invoiceId)).paidByRescueId, 'rsc_1');
      });
    });
  });
}
