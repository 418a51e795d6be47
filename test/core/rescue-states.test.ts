import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canTransition,
  FINAL_STATES,
  REOPENABLE_STATES,
  RESCUE_STATES,
} from '../../plugin/core/rescue-states.js';

describe('rescue state machine', () => {
  it('lets a final state go nowhere, except to approved when FlexCharge collected after the end', () => {
    for (const from of FINAL_STATES)
      for (const to of RESCUE_STATES) {
        const reopens = REOPENABLE_STATES.has(from) && to === 'approved';
        assert.equal(canTransition(from, to), reopens, `${from} → ${to}`);
      }
    assert.deepEqual([...REOPENABLE_STATES].sort(), ['cancelled', 'declined', 'released']);
  });

  it('lets an approval reach approved from every state that may still see one', () => {
    for (const from of [
      'held',
      'releasing',
      'cancelling',
      'needs_attention',
      'released',
      'cancelled',
    ] as const)
      assert.ok(canTransition(from, 'approved'), from);
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
