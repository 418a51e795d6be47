import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const t0 = new Date('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('claims shared between merchants', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  /** `n` due rescues of `merchantId`, the first due at `from` seconds, one a second after. */
  async function due(merchantId: string, n: number, from: number): Promise<void> {
    const rescues = createRescueRepository(handle.db);
    for (let i = 0; i < n; i++) {
      await rescues.createIfAbsent({
        merchantId,
        engine: 'stripe',
        invoiceId: `in_${merchantId}_${i}`,
        failedAt: at(from + i),
        now: at(from + i),
      });
    }
  }

  it('takes merchants in turn, each within its room, oldest first within a merchant', async () => {
    await due('big', 20, 0);
    await due('mid', 3, 100);
    await due('small', 1, 200);
    const rescues = createRescueRepository(handle.db);
    const claimed = await rescues.claim('A', at(1000), 6, 60_000, { perMerchant: 3, rooms: [] });
    const of = (m: string) => claimed.filter((r) => r.merchant_id === m).map((r) => r.invoice_id);
    assert.deepEqual(
      claimed.map((r) => r.invoice_id).sort(),
      ['in_big_0', 'in_big_1', 'in_big_2', 'in_mid_0', 'in_mid_1', 'in_small_0'],
      "each merchant's oldest first, then each one's second, …; small is not left behind big's twenty",
    );
    assert.ok(of('big').length <= 3, 'no merchant beyond its limit');
    assert.equal(claimed.length, 6);

    // A merchant already running its limit gets nothing more; one with room left gets that much.
    const next = await rescues.claim('B', at(1000), 10, 60_000, {
      perMerchant: 3,
      rooms: [
        { merchantId: 'big', room: 1 },
        { merchantId: 'mid', room: 0 },
      ],
    });
    assert.deepEqual(
      next.map((r) => r.invoice_id),
      ['in_big_3'],
      'big has one more slot, mid none, small nothing left due',
    );
    await sql`update flexcharge_mit.rescues set locked_by = null, locked_until = null, next_action_at = null`.execute(
      handle.db,
    );
  });

  it('gives concurrent claimers disjoint rows', async () => {
    await due('c1', 15, 2000);
    await due('c2', 15, 2000);
    const rescues = createRescueRepository(handle.db);
    const fair = { perMerchant: 10, rooms: [] };
    const claims = await Promise.all(
      ['W1', 'W2', 'W3'].map((w) => rescues.claim(w, at(5000), 10, 60_000, fair)),
    );
    const ids = claims.flat().map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
    const locked = await handle.db
      .selectFrom('flexcharge_mit.rescues')
      .select(['id', 'locked_by'])
      .where('locked_by', 'is not', null)
      .execute();
    for (const [i, claim] of claims.entries())
      for (const row of claim)
        assert.equal(locked.find((l) => l.id === row.id)?.locked_by, `W${i + 1}`, 'leased to its claimer');
  });
});
