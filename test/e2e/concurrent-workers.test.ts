import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Worker } from '../../plugin/worker/worker.js';
import { DAY_MS, type E2E, startE2E } from './plugin-harness.js';

describe('several workers on one database', () => {
  let e: E2E;
  let workers: Worker[];
  before(async () => {
    e = await startE2E();
    // Three more workers, as other instances of the plugin would run them, sharing the database.
    workers = ['w1', 'w2', 'w3'].map((workerId) => e.anotherWorker(workerId));
  });
  after(() => e.close());

  /** All workers drain at once, over and over, while webhooks keep arriving. */
  async function raceWorkers(rounds: number): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await e.emulator.runDue();
      await e.sandbox.runDue();
      await Promise.all([e.plugin.worker.drain(), ...workers.map((w) => w.drain())]);
    }
  }

  it('rescue each of several declined renewals exactly once, racing one another', async () => {
    const subscribers = [];
    for (let i = 0; i < 3; i++) subscribers.push(await e.subscriber());
    for (const s of subscribers) await e.declineNextCharges(s.paymentMethod.id, 'insufficient_funds');
    e.clock.advance(31 * DAY_MS);
    await raceWorkers(6);
    e.clock.advance(2 * 3_600_000);
    await raceWorkers(6);

    for (const s of subscribers) {
      const invoice = (await e.stripe.invoices.list({ subscription: s.subscription.id, limit: 1 })).data[0]!;
      assert.equal(invoice.billing_reason, 'subscription_cycle');
      assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'recovered');
      assert.equal(
        (await e.evaluateBodies()).filter((b) => b.orderId === invoice.id).length,
        1,
        'one evaluate',
      );
      const paid = e.emulator.events.filter((r) => r.type === 'invoice.paid' && r.objectId === invoice.id);
      assert.equal(paid.length, 1, 'one write-back');
    }
    const transmissions = await e.database.db
      .selectFrom('flexcharge_mit.transmissions')
      .selectAll()
      .execute();
    assert.equal(e.sandboxCalls('/v1/transmit').length, transmissions.length, 'each charge transmitted once');
  });
});
