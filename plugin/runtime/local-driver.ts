import { sql } from 'kysely';
import type { ManualClock } from '../core/clock.js';
import type { RunningPlugin } from './start-plugin.js';

/**
 * Drives a plugin started with the local Stripe emulator and FlexCharge sandbox on a manual clock, one
 * deterministic step at a time: for the demo and the end-to-end tests, where weeks pass in seconds.
 */
export function createLocalDriver(plugin: RunningPlugin, clock: ManualClock) {
  const emulator = plugin.stripe.emulator?.emulator;
  const sandbox = plugin.flexcharge.sandbox?.sandbox;
  if (!emulator || !sandbox)
    throw new Error('the local driver needs the in-process Stripe emulator and FlexCharge sandbox');

  async function progress(): Promise<string> {
    const { rows } = await sql<{ inbox: number; history: number }>`
      select (select count(*) from flexcharge_mit.inbox_events)::int as inbox,
             (select count(*) from flexcharge_mit.rescue_events)::int as history`.execute(plugin.database.db);
    return `${rows[0]?.inbox}/${rows[0]?.history}/${emulator!.events.length}/${sandbox!.deliveries.length}`;
  }

  /** Delivers every due webhook on both sides and lets the worker act, until nothing moves. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await emulator!.runDue();
      await sandbox!.runDue();
      const before = await progress();
      await plugin.worker.drain();
      await emulator!.runDue();
      await sandbox!.runDue();
      if ((await progress()) === before) return;
    }
  }

  /** Moves time forward in steps of at most six hours, so each side's timers fire in order. */
  async function advance(ms: number): Promise<void> {
    const end = clock.now().getTime() + ms;
    while (clock.now().getTime() < end) {
      clock.set(Math.min(end, clock.now().getTime() + 6 * 3_600_000));
      await settle();
    }
  }

  return { settle, advance };
}
