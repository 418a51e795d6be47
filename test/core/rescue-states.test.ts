import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, FINAL_STATES, RESCUE_STATES } from '../../plugin/core/rescue-states.js';

describe('rescue state machine', () => {
  it('lets nothing leave a final state', () => {
    for (const from of FINAL_STATES)
      for (const to of RESCUE_STATES) assert.equal(canTransition(from, to), false, `${from} → ${to}`);
  });

  it('can send any open state to needs_attention, and bring it back', () => {
    for (const from of RESCUE_STATES) {
      if (FINAL_STATES.has(from) || from === 'needs_attention') continue;
      assert.ok(canTransition(from, 'needs_attention'), from);
      assert.ok(canTransition('needs_attention', from), `back to ${from}`);
    }
  });

  it('reaches recovered only through approved, and conflict only through refunding', () => {
    const into = (to: string) => RESCUE_STATES.filter((from) => canTransition(from, to as never));
    assert.deepEqual(into('recovered'), ['approved']);
    assert.deepEqual(into('conflict'), ['refunding']);
  });

  it('reaches every state from received', () => {
    const seen = new Set<string>(['received']);
    const queue = ['received'] as (typeof RESCUE_STATES)[number][];
    while (queue.length) {
      const from = queue.shift()!;
      for (const to of RESCUE_STATES) {
        if (canTransition(from, to) && !seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...RESCUE_STATES].sort());
  });
});
