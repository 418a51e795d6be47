import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  createFlexChargeSandbox,
  DEMO_SUBSCRIBER_KEY,
} from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { ManualClock } from '../../plugin/core/clock.js';
import { accessToken, evaluate, managedMit, RESCUED_PAN, START, startReceiver } from './sandbox-test-kit.js';

const DECISION_DELAY_MS = 60_000;

/** One sandbox "process": its own clock, starting where a fresh process's would. */
function startSandbox(stateFile: string, webhookUrl: string) {
  const clock = new ManualClock(START);
  const sandbox = createFlexChargeSandbox({
    clock,
    decisionDelayMs: DECISION_DELAY_MS,
    webhook: { url: webhookUrl, subscriberKey: DEMO_SUBSCRIBER_KEY },
    stateFile,
  });
  return { clock, sandbox, api: request(sandbox.app) };
}

describe('the FlexCharge sandbox state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('brings back orders, tokens, idempotency keys and owed webhooks after a restart', async () => {
    const stateFile = join(dir, 'flexcharge-sandbox.json');
    const down = await startReceiver([500, 500, 500]);
    const first = startSandbox(stateFile, down.url);
    const token = await accessToken(first.api);
    const body = managedMit(first.clock.now());
    const evaluated = await evaluate(first.api, token, body).expect(200);
    const orderId = evaluated.body.orderSessionKey as string;
    // Written shortly after the change, without waiting for a shutdown (what a crash keeps).
    await sleep(400);
    assert.match(readFileSync(stateFile, 'utf8'), new RegExp(orderId));
    first.clock.advance(DECISION_DELAY_MS);
    await first.sandbox.runDue();
    assert.equal(first.sandbox.orders.get(orderId)?.state, 'completed');
    assert.equal(down.received.length, 1, 'order.completed was sent and refused');
    await first.sandbox.close();
    await down.close();
    const text = readFileSync(stateFile, 'utf8');
    assert.equal(JSON.parse(text).version, 1);
    assert.doesNotMatch(text, new RegExp(RESCUED_PAN), 'no card number is kept');

    const up = await startReceiver();
    const second = startSandbox(stateFile, up.url);
    try {
      assert.ok(second.clock.now().getTime() >= first.clock.now().getTime(), 'the clock goes on');
      const order = second.sandbox.orders.get(orderId);
      assert.equal(order?.state, 'completed');
      assert.ok(order?.createdAt instanceof Date, 'dates come back as dates');
      // The token issued before the restart still works; the order reads as before.
      const read = await second.api.get(`/v1/orders/${orderId}`).auth(token, { type: 'bearer' }).expect(200);
      assert.equal(read.body.statusName, 'COMPLETED');
      // The same idempotency key replays the first answer: no second order.
      const replay = await evaluate(second.api, token, body).expect(200);
      assert.deepEqual(replay.body, evaluated.body);
      assert.equal(second.sandbox.orders.size, 1);
      // The owed webhook is retried, marked as resent, to the target the restarted sandbox was given.
      second.clock.advance(60_000);
      await second.sandbox.runDue();
      assert.deepEqual(
        up.received.map((r) => [r.json.Event, r.json.OrderId, r.json.IsResent]),
        [['order.completed', orderId, true]],
      );
      assert.deepEqual(
        second.sandbox.deliveries.map((d) => [d.attempt, d.status]),
        [
          [1, 500],
          [2, 200],
        ],
      );
    } finally {
      await second.sandbox.close();
      await up.close();
    }
  });

  it('refuses a state file of another version, naming the file', () => {
    const stateFile = join(dir, 'old.json');
    writeFileSync(
      stateFile,
      JSON.stringify({ service: 'flexcharge-sandbox', version: 7, clockAt: 0, state: {} }),
    );
    assert.throws(
      () => createFlexChargeSandbox({ clock: new ManualClock(START), stateFile }),
      (error: Error) => error.message.includes(stateFile) && /version 7/.test(error.message),
    );
  });
});
