import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConcurrencyLimit } from '../../plugin/core/concurrency-limit.js';
import { createWorkPool } from '../../plugin/worker/work-pool.js';

describe('concurrency limit', () => {
  it('runs at most max at once, the rest in arrival order', async () => {
    const limit = createConcurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        limit.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await sleep(10);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.equal(limit.active, 0);
    assert.equal(limit.waiting, 0);
  });

  it('frees the turn of a call that failed', async () => {
    const limit = createConcurrencyLimit(1);
    await assert.rejects(limit.run(() => Promise.reject(new Error('boom'))));
    assert.equal(await limit.run(async () => 'next'), 'next');
  });
});

describe('work pool', () => {
  it('counts jobs per merchant, reports each busy merchant’s room, and says when slots free up', async () => {
    const pool = createWorkPool({ total: 3, perMerchant: 2 });
    const gates: (() => void)[] = [];
    const job = () => new Promise<void>((resolve) => gates.push(resolve));
    pool.start('a', job);
    pool.start('a', job);
    pool.start('b', job);
    assert.equal(pool.free(), 0);
    assert.deepEqual(pool.rooms(), [
      { merchantId: 'a', room: 0 },
      { merchantId: 'b', room: 1 },
    ]);
    let roomed = false;
    const room = pool.room(2).then(() => {
      roomed = true;
    });
    gates[0]?.();
    await sleep(5);
    assert.equal(roomed, false, 'one slot is not two');
    gates[1]?.();
    await room;
    assert.deepEqual(pool.rooms(), [{ merchantId: 'b', room: 1 }]);
    gates[2]?.();
    await pool.idle();
    assert.equal(pool.free(), 3);
    assert.deepEqual(pool.rooms(), []);
  });
});
