import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../plugin/config/load-config.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { ConfigError } from '../../plugin/core/errors.js';
import { silentLogger } from '../../plugin/core/logger.js';
import type { RescueState } from '../../plugin/core/rescue-states.js';
import { createSecretBox } from '../../plugin/security/secret-box.js';
import { createCardTokenRepository } from '../../plugin/storage/card-token-repository.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createInboxRepository } from '../../plugin/storage/inbox-repository.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import {
  createRetention,
  NONCE_RETENTION_MS,
  pruneExpired,
  type RetentionPolicy,
  retentionPolicyFromConfig,
} from '../../plugin/storage/retention.js';
import { createTransmissionRepository } from '../../plugin/storage/transmission-repository.js';
import { createWorker } from '../../plugin/worker/worker.js';
import { createTestDatabase } from '../support/test-database.js';

const now = new Date('2033-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
const policy: RetentionPolicy = {
  inboxDays: 30,
  callLogDays: 90,
  historyDays: 2557,
  nonceMs: NONCE_RETENTION_MS,
};

describe('retention', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());
  beforeEach(async () => {
    await sql`truncate flexcharge_mit.inbox_events, flexcharge_mit.flexcharge_calls, flexcharge_mit.rescue_events,
      flexcharge_mit.rescues, flexcharge_mit.webhook_nonces, flexcharge_mit.transmissions`.execute(handle.db);
  });

  async function inboxRow(eventId: string, receivedAt: Date, processedAt: Date | null) {
    await handle.db
      .insertInto('flexcharge_mit.inbox_events')
      .values({
        source: 'stripe',
        merchant_id: 'default',
        event_id: eventId,
        event_type: 'invoice.paid',
        payload: JSON.stringify({}),
        received_at: receivedAt,
        processed_at: processedAt,
        next_attempt_at: receivedAt,
      })
      .execute();
  }

  async function call(idempotencyKey: string, startedAt: Date) {
    await handle.db
      .insertInto('flexcharge_mit.flexcharge_calls')
      .values({
        started_at: startedAt,
        environment: 'local',
        operation: 'evaluate',
        method: 'POST',
        path: '/v1/evaluate',
        attempt: 1,
        outcome: 'ok',
        status_code: 200,
        error_class: null,
        retryable: null,
        duration_ms: 12,
        idempotency_key: idempotencyKey,
        trace_id: null,
        request_body: null,
        response_body: null,
      })
      .execute();
  }

  /** A rescue created at `createdAt` that reached `state` at `lastChange`, with two history entries. */
  async function rescue(invoiceId: string, state: RescueState, createdAt: Date, lastChange: Date) {
    const { id } = await handle.db
      .insertInto('flexcharge_mit.rescues')
      .values({
        merchant_id: 'default',
        engine: 'stripe',
        invoice_id: invoiceId,
        state,
        failed_at: createdAt,
        created_at: createdAt,
        updated_at: lastChange,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto('flexcharge_mit.rescue_events')
      .values([
        { rescue_id: id, at: createdAt, from_state: null, to_state: 'received', note: 'received' },
        { rescue_id: id, at: lastChange, from_state: 'received', to_state: state, note: state },
      ])
      .execute();
    return id;
  }

  const inboxIds = async () =>
    (
      await handle.db
        .selectFrom('flexcharge_mit.inbox_events')
        .select('event_id')
        .orderBy('event_id')
        .execute()
    ).map((r) => r.event_id);
  const callKeys = async () =>
    (
      await handle.db
        .selectFrom('flexcharge_mit.flexcharge_calls')
        .select('idempotency_key')
        .orderBy('id')
        .execute()
    ).map((r) => r.idempotency_key);
  const invoicesWithHistory = async () =>
    (
      await handle.db
        .selectFrom('flexcharge_mit.rescues as r')
        .innerJoin('flexcharge_mit.rescue_events as e', 'e.rescue_id', 'r.id')
        .select('r.invoice_id')
        .distinct()
        .orderBy('r.invoice_id')
        .execute()
    ).map((r) => r.invoice_id);

  it('prunes processed inbox rows past retention, and keeps unprocessed and young ones', async () => {
    await inboxRow('evt_old_processed', daysAgo(40), daysAgo(40));
    await inboxRow('evt_old_unprocessed', daysAgo(400), null);
    await inboxRow('evt_young_processed', daysAgo(40), daysAgo(29));
    const counts = await pruneExpired(handle.db, policy, now);
    assert.equal(counts.inboxEvents, 1);
    assert.deepEqual(await inboxIds(), ['evt_old_unprocessed', 'evt_young_processed']);
  });

  it('prunes quarantined inbox rows with the call log, and never a row still waiting for work', async () => {
    await inboxRow('evt_quarantined_old', daysAgo(91), null);
    await inboxRow('evt_quarantined_young', daysAgo(89), null);
    await inboxRow('evt_waiting_old', daysAgo(400), null);
    await handle.db
      .updateTable('flexcharge_mit.inbox_events')
      .set({ quarantine_reason: 'event id not storable as sent' })
      .where('event_id', 'like', 'evt_quarantined%')
      .execute();
    const counts = await pruneExpired(handle.db, policy, now);
    assert.equal(counts.quarantinedEvents, 1);
    assert.equal(counts.inboxEvents, 0);
    assert.deepEqual(await inboxIds(), ['evt_quarantined_young', 'evt_waiting_old']);
  });

  it('prunes settled charge reports after the history retention, and never a pending one', async () => {
    const report = (chargeId: string, state: 'pending' | 'sent' | 'skipped', createdAt: Date) =>
      handle.db
        .insertInto('flexcharge_mit.transmissions')
        .values({
          merchant_id: 'default',
          engine: 'stripe',
          charge_id: chargeId,
          succeeded: true,
          amount: 2900,
          currency: 'EUR',
          state,
          next_attempt_at: state === 'pending' ? createdAt : null,
          created_at: createdAt,
        })
        .execute();
    await report('ch_sent_old', 'sent', daysAgo(2558));
    await report('ch_skipped_old', 'skipped', daysAgo(2558));
    await report('ch_pending_old', 'pending', daysAgo(3000));
    await report('ch_sent_young', 'sent', daysAgo(2556));
    assert.equal((await pruneExpired(handle.db, policy, now)).transmissions, 2);
    const left = await handle.db
      .selectFrom('flexcharge_mit.transmissions')
      .select('charge_id')
      .orderBy('charge_id')
      .execute();
    assert.deepEqual(
      left.map((r) => r.charge_id),
      ['ch_pending_old', 'ch_sent_young'],
    );
  });

  it('prunes call-log rows past retention and keeps younger ones', async () => {
    await call('old', daysAgo(91));
    await call('young', daysAgo(89));
    assert.equal((await pruneExpired(handle.db, policy, now)).flexchargeCalls, 1);
    assert.deepEqual(await callKeys(), ['young']);
  });

  it('keeps every call made since the oldest open rescue began, however old', async () => {
    await rescue('in_open', 'needs_attention', daysAgo(200), daysAgo(150));
    await call('before the open rescue', daysAgo(201));
    await call('during the open rescue', daysAgo(199));
    await pruneExpired(handle.db, policy, now);
    assert.deepEqual(await callKeys(), ['during the open rescue']);
  });

  it('keeps the history of an open rescue however old, and of a final one until its retention has passed', async () => {
    await rescue('in_open_ancient', 'held', daysAgo(4000), daysAgo(3900));
    await rescue('in_attention_ancient', 'needs_attention', daysAgo(4000), daysAgo(3900));
    await rescue('in_final_past', 'recovered', daysAgo(2600), daysAgo(2558));
    await rescue('in_final_within', 'released', daysAgo(2600), daysAgo(2556));
    const counts = await pruneExpired(handle.db, policy, now);
    assert.equal(counts.rescues, 1);
    assert.equal(counts.rescueEvents, 2);
    assert.deepEqual(await invoicesWithHistory(), [
      'in_attention_ancient',
      'in_final_within',
      'in_open_ancient',
    ]);
  });

  it('forgets webhook nonces a day after their signatures stopped verifying, and keeps younger ones', async () => {
    const nonces = ['old', 'young'];
    const seenAt = [
      new Date(now.getTime() - NONCE_RETENTION_MS - 1),
      new Date(now.getTime() - NONCE_RETENTION_MS + 1),
    ];
    await handle.db
      .insertInto('flexcharge_mit.webhook_nonces')
      .values(nonces.map((nonce, i) => ({ source: 'flexcharge', nonce, seen_at: seenAt[i] ?? now })))
      .execute();
    assert.equal((await pruneExpired(handle.db, policy, now)).webhookNonces, 1);
    const left = await handle.db.selectFrom('flexcharge_mit.webhook_nonces').select('nonce').execute();
    assert.deepEqual(
      left.map((r) => r.nonce),
      ['young'],
    );
    assert.ok(NONCE_RETENTION_MS > DAY_MS, 'longer than the signature tolerance plus a day');
  });

  it('deletes in bounded batches, leaving the rest of a large backlog to the next prune', async () => {
    for (let i = 0; i < 5; i++) await inboxRow(`evt_${i}`, daysAgo(60), daysAgo(60));
    const bounded = { ...policy, batchSize: 2, maxBatches: 2 };
    assert.equal((await pruneExpired(handle.db, bounded, now)).inboxEvents, 4);
    assert.equal((await pruneExpired(handle.db, bounded, now)).inboxEvents, 1);
    assert.deepEqual(await inboxIds(), []);
  });

  it('lets workers prune at once, each row deleted by exactly one of them', async () => {
    for (let i = 0; i < 40; i++) await call(`c${i}`, daysAgo(100));
    const small = { ...policy, batchSize: 3, maxBatches: 100 };
    const counts = await Promise.all([1, 2, 3].map(() => pruneExpired(handle.db, small, now)));
    assert.equal(
      counts.reduce((sum, c) => sum + c.flexchargeCalls, 0),
      40,
    );
    assert.deepEqual(await callKeys(), []);
  });

  it('prunes from the worker once an hour', async () => {
    const clock = new ManualClock(now);
    await inboxRow('evt_first', daysAgo(31), daysAgo(31));
    const worker = createWorker({
      inbox: createInboxRepository(handle.db),
      rescues: createRescueRepository(handle.db),
      transmissions: createTransmissionRepository(handle.db),
      cardTokens: createCardTokenRepository(handle.db, createSecretBox(randomBytes(32))),
      merchants: { resolve: async () => assert.fail('no merchant work is due') },
      retention: createRetention(handle.db, policy),
      clock,
      logger: silentLogger,
    });
    await worker.runOnce();
    assert.deepEqual(await inboxIds(), []);
    await inboxRow('evt_second', daysAgo(31), daysAgo(31));
    clock.advance(59 * 60_000);
    await worker.runOnce();
    assert.deepEqual(await inboxIds(), ['evt_second'], 'not again within the hour');
    clock.advance(60_000);
    await worker.runOnce();
    assert.deepEqual(await inboxIds(), []);
  });
});

describe('retention settings', () => {
  it('keep processed webhooks 30 days, the call log 90 and finished rescues seven years by default', () => {
    assert.deepEqual(retentionPolicyFromConfig(loadConfig({})), {
      inboxDays: 30,
      callLogDays: 90,
      historyDays: 2557,
      nonceMs: NONCE_RETENTION_MS,
    });
  });

  it('refuse a rescue history shorter than the card networks’ dispute window, naming the variable', () => {
    assert.throws(
      () => loadConfig({ RETENTION_HISTORY_DAYS: '30' }),
      (e: unknown) =>
        e instanceof ConfigError && e.issues.some((i) => i.variable === 'RETENTION_HISTORY_DAYS'),
    );
  });
});
