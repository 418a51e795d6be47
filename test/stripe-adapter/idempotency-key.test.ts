import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyKey } from '../../adapters/stripe/idempotency-key.js';

describe('Stripe idempotency keys', () => {
  it('repeat within the hour, so a retry after a lost response replays the first answer', () => {
    assert.equal(
      idempotencyKey('writeback-in_1-r1', new Date('2026-03-02T09:00:01Z')),
      idempotencyKey('writeback-in_1-r1', new Date('2026-03-02T09:59:59Z')),
    );
  });

  it('change with the hour, so a stored Stripe 500 is not replayed for a day', () => {
    assert.notEqual(
      idempotencyKey('writeback-in_1-r1', new Date('2026-03-02T09:59:59Z')),
      idempotencyKey('writeback-in_1-r1', new Date('2026-03-02T10:00:00Z')),
    );
  });

  it('keep each write and rescue apart', () => {
    const at = new Date('2026-03-02T09:00:00Z');
    assert.notEqual(idempotencyKey('hold-in_1-r1', at), idempotencyKey('hold-in_1-r2', at));
  });
});
