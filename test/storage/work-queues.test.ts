import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidTransitionError } from '../../plugin/core/errors.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createInboxRepository } from '../../plugin/storage/inbox-repository.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { createWebhookNonceRepository } from '../../plugin/storage/webhook-nonce-repository.js';
import { createTestDatabase } from '../support/test-database.js';

const t0 = new Date('2026-11-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('work queues', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('stores a webhook event once, however often it is delivered', async () => {
    const inbox = createInboxRepository(handle.db);
    const event = {
      source: 'stripe',
      merchantId: 'm',
      eventId: 'evt_dup',
      eventType: 'invoice.paid',
      payload: { a: 1 },
      receivedAt: t0,
    };
    assert.equal(await inbox.insert(event), 'inserted');
    assert.equal(await inbox.insert(event), 'duplicate');
    assert.equal(await inbox.insert({ ...event, source: 'flexcharge' }), 'inserted');
  });

  it('gives concurrent workers disjoint rows, and a leased row to nobody else until the lease ends', async () => {
    const inbox = createInboxRepository(handle.db);
    for (let i = 0; i < 6; i++) {
      await inbox.insert({
        source: 'claim',
        merchantId: 'm',
        eventId: `evt_${i}`,
        eventType: 't',
        payload: {},
        receivedAt: t0,
      });
    }
    const [a, b] = await Promise.all([inbox.claim('A', at(1), 4), inbox.claim('B', at(1), 4)]);
    const ids = [...a, ...b].map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
    assert.ok(ids.length >= 6, 'all due rows claimed');
    assert.deepEqual(await inbox.claim('C', at(2), 10), [], 'leased rows stay leased');
    const reclaimed = await inbox.claim('C', at(3600), 10);
    assert.ok(reclaimed.length >= 6, 'rows come back when the lease runs out');
  });

  it('backs a failed inbox event off and lets only the lease holder complete it', async () => {
    const inbox = createInboxRepository(handle.db);
    await inbox.insert({
      source: 'backoff',
      merchantId: 'm',
      eventId: 'evt_b',
      eventType: 't',
      payload: {},
      receivedAt: at(10_000),
    });
    const [row] = (await inbox.claim('A', at(10_000), 50)).filter((r) => r.source === 'backoff');
    assert.ok(row);
    await inbox.fail(row.id, 'A', at(10_000), 'boom');
    assert.equal((await inbox.claim('A', at(10_000), 50)).filter((r) => r.source === 'backoff').length, 0);
    const [again] = (await inbox.claim('B', at(10_031), 50)).filter((r) => r.source === 'backoff');
    assert.ok(again, 'due again after the first backoff of 30 s');
    await inbox.complete(again.id, 'A', at(10_032));
    const stillOpen = await handle.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select('processed_at')
      .where('id', '=', again.id)
      .executeTakeFirstOrThrow();
    assert.equal(stillOpen.processed_at, null, 'a worker without the lease cannot complete');
  });

  it('creates one rescue per invoice and records its history', async () => {
    const rescues = createRescueRepository(handle.db);
    const key = { merchantId: 'm', engine: 'stripe', invoiceId: 'in_once', failedAt: t0, now: t0 };
    const first = await rescues.createIfAbsent(key);
    const second = await rescues.createIfAbsent({ ...key, now: at(5) });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
    assert.deepEqual(
      (await rescues.history(first.id)).map((h) => h.to_state),
      ['received'],
    );
  });

  it('applies a step only along the state machine and only for the lease holder', async () => {
    const rescues = createRescueRepository(handle.db);
    const { id } = await rescues.createIfAbsent({
      merchantId: 'm',
      engine: 'stripe',
      invoiceId: 'in_step',
      failedAt: t0,
      now: at(20_000),
    });
    const [row] = (await rescues.claim('A', at(20_000), 50)).filter((r) => r.id === id);
    assert.ok(row);
    await assert.rejects(
      rescues.applyStep(row, { to: 'recovered', note: 'x', nextActionAt: null }, 'A', at(20_001)),
      InvalidTransitionError,
    );
    assert.equal(
      await rescues.applyStep(
        row,
        { to: 'evaluating', note: 'eligible', nextActionAt: null },
        'B',
        at(20_001),
      ),
      false,
    );
    assert.equal(
      await rescues.applyStep(
        row,
        {
          to: 'evaluating',
          note: 'eligible',
          patch: { amount: { amount: 1999, currency: 'USD' } },
          nextActionAt: null,
        },
        'A',
        at(20_001),
      ),
      true,
    );
    const stored = await rescues.get(id);
    assert.equal(stored?.state, 'evaluating');
    assert.equal(stored?.amount, 1999);
    assert.equal(stored?.currency, 'USD');
  });

  it('moves a rescue that keeps failing to needs_attention, and an operator can put it back', async () => {
    const rescues = createRescueRepository(handle.db);
    const { id } = await rescues.createIfAbsent({
      merchantId: 'm',
      engine: 'stripe',
      invoiceId: 'in_fail',
      failedAt: t0,
      now: at(30_000),
    });
    let now = 30_000;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [row] = (await rescues.claim('A', at(now), 50)).filter((r) => r.id === id);
      assert.ok(row, `claimable for attempt ${attempt}`);
      const result = await rescues.failStep(
        row,
        { error: 'FlexCharge down', retryable: true, maxAttempts: 3 },
        'A',
        at(now),
      );
      assert.equal(result, attempt < 3 ? 'retrying' : 'needs_attention');
      now += 3600;
    }
    assert.equal((await rescues.get(id))?.state, 'needs_attention');
    assert.equal(await rescues.retry(id, at(now)), true);
    assert.equal((await rescues.get(id))?.state, 'received');
  });

  it('moves a rescue to needs_attention at once for a fault that needs a fix', async () => {
    const rescues = createRescueRepository(handle.db);
    const { id } = await rescues.createIfAbsent({
      merchantId: 'm',
      engine: 'stripe',
      invoiceId: 'in_fatal',
      failedAt: t0,
      now: at(35_000),
    });
    const [row] = (await rescues.claim('A', at(35_000), 50)).filter((r) => r.id === id);
    assert.ok(row);
    const result = await rescues.failStep(
      row,
      { error: 'FlexCharge does not know order x', retryable: false, maxAttempts: 18 },
      'A',
      at(35_000),
    );
    assert.equal(result, 'needs_attention');
    const stored = await rescues.get(id);
    assert.equal(stored?.state, 'needs_attention');
    assert.equal(stored?.next_action_at, null);
    assert.match(stored?.last_error ?? '', /does not know order/);
  });

  it('wakes only open rescues that match', async () => {
    const rescues = createRescueRepository(handle.db);
    const { id } = await rescues.createIfAbsent({
      merchantId: 'm2',
      engine: 'stripe',
      invoiceId: 'in_wake',
      failedAt: t0,
      now: at(40_000),
    });
    assert.equal(await rescues.wake({ merchantId: 'm2', invoiceId: 'in_wake' }, at(40_001)), 1);
    assert.equal(await rescues.wake({ merchantId: 'm2', invoiceId: 'in_other' }, at(40_001)), 0);
    assert.equal((await rescues.get(id))?.next_action_at?.getTime(), at(40_001).getTime());
  });

  // Old nonces are forgotten by the retention sweep (test/storage/retention.test.ts).
  it('accepts a webhook nonce once', async () => {
    const nonces = createWebhookNonceRepository(handle.db);
    assert.equal(await nonces.remember('flexcharge', 'abc', t0), true);
    assert.equal(await nonces.remember('flexcharge', 'abc', at(1)), false);
  });
});

describe('the hand-off time finance counts', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('is stamped when FlexCharge first takes the order, and kept through later states', async () => {
    const rescues = createRescueRepository(handle.db);
    const { id } = await rescues.createIfAbsent({
      merchantId: 'm',
      engine: 'stripe',
      invoiceId: 'in_handoff',
      failedAt: t0,
      now: t0,
    });
    const step = async (to: 'evaluating' | 'held' | 'approved', when: Date) => {
      const [row] = (await rescues.claim('A', when, 50)).filter((r) => r.id === id);
      assert.ok(row, `rescue claimable before ${to}`);
      assert.equal(await rescues.applyStep(row, { to, note: to, nextActionAt: when }, 'A', when), true);
      return (await rescues.get(id))?.handed_off_at ?? null;
    };
    assert.equal(await step('evaluating', at(1)), null);
    assert.deepEqual(await step('held', at(2)), at(2));
    assert.deepEqual(await step('approved', at(3)), at(2));
  });
});
