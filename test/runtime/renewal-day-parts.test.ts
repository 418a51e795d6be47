import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawPopulation } from '../../plugin/runtime/renewal-day/population.js';
import { createProgressDisplay } from '../../plugin/runtime/renewal-day/progress-display.js';
import { StoryClock } from '../../plugin/runtime/renewal-day/story-clock.js';

describe('the renewal day’s parts', () => {
  it('draws the same population from the same seed, with a realistic mix', () => {
    const a = drawPopulation(2000, 7);
    assert.deepEqual(drawPopulation(2000, 7), a);
    const declined = a.filter((c) => c.fate.kind === 'declined');
    assert.ok(declined.length > 300 && declined.length < 600, `${declined.length} declines of 2000`);
    const codes = new Set(declined.map((c) => (c.fate.kind === 'declined' ? c.fate.declineCode : '')));
    assert.ok(codes.has('insufficient_funds') && codes.has('stolen_card'), 'soft and hard declines');
    assert.deepEqual(new Set(a.map((c) => c.plan.currency)), new Set(['eur', 'usd']));
    assert.deepEqual(new Set(a.map((c) => c.site)), new Set([0, 1]));
    assert.ok(a.some((c) => !c.tokenized));
  });

  it('rewrites one live line on a terminal, and prints only the lines that stay elsewhere', () => {
    const tty: string[] = [];
    const onTerminal = createProgressDisplay({ isTTY: true, write: (t: string) => tty.push(t) });
    onTerminal.live('1/2');
    onTerminal.line('done');
    assert.deepEqual(tty, ['\r\u001b[2K1/2', '\r\u001b[2Kdone\n']);
    const piped: string[] = [];
    const elsewhere = createProgressDisplay({ write: (t: string) => piped.push(t) });
    elsewhere.live('1/2');
    elsewhere.line('done');
    assert.deepEqual(piped, ['done\n']);
  });

  it('stands still while the story moves it, then runs in real time from the later of its time and now', async () => {
    const clock = new StoryClock('2026-01-01T00:00:00Z');
    clock.set('2026-01-02T00:00:00Z');
    assert.equal(clock.now().toISOString(), '2026-01-02T00:00:00.000Z');
    clock.runInRealTime();
    const first = clock.now().getTime();
    assert.ok(Math.abs(first - Date.now()) < 1000, 'caught up with the real time');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(clock.now().getTime() >= first + 25, 'and runs');
  });
});
