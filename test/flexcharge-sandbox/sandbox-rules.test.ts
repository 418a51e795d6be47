import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HARD_DECLINE_CODES, withinApprovalRate } from '../../adapters/flexcharge/sandbox/outcome-rules.js';
import {
  accessToken,
  cit,
  declinedTransaction,
  evaluate,
  managedMit,
  newSandbox,
} from './sandbox-test-kit.js';

describe('sandbox rule table', () => {
  const rows: [string, (now: Date) => Record<string, unknown>, string][] = [
    ['CIT on 1111 with a phone → CHALLENGE', () => cit(), 'CHALLENGE'],
    [
      'CIT on 1111 without phone and CVV → DECLINED',
      () => cit({ payer: { email: 'a@b.c' }, paymentMethod: { cardNumber: '4111111111111111' } }),
      'DECLINED',
    ],
    [
      'CIT authorization on 3184 → CAPTUREREQUIRED',
      () => cit({ transactionType: 'Authorization', paymentMethod: { cardNumber: '4000002760003184' } }),
      'CAPTUREREQUIRED',
    ],
    [
      'CIT on 4242 → APPROVED',
      () => cit({ paymentMethod: { cardNumber: '4242 4242 4242 4242' } }),
      'APPROVED',
    ],
    ['CIT on 2220 → DECLINED', () => cit({ paymentMethod: { cardNumber: '4000300011112220' } }), 'DECLINED'],
    ['managed MIT on 3184 → SUBMITTED', (now) => managedMit(now), 'SUBMITTED'],
    [
      'managed MIT on 2220 → SUBMITTED (and later EXPIRED)',
      (now) => managedMit(now, { paymentMethod: { cardNumber: '4000300011112220' } }),
      'SUBMITTED',
    ],
    ['sync MIT on 3184 → APPROVED', (now) => managedMit(now, { expiryDateUtc: undefined }), 'APPROVED'],
    [
      'sync MIT on 0002 → DECLINED',
      (now) =>
        managedMit(now, { expiryDateUtc: undefined, paymentMethod: { cardNumber: '4000000000000002' } }),
      'DECLINED',
    ],
    [
      'managed MIT declined as stolen → DECLINED at once',
      (now) =>
        managedMit(now, {
          transaction: declinedTransaction({ responseCode: 'stolen_card' }),
        }),
      'DECLINED',
    ],
    [
      'managed MIT declined with ISO 41 (lost) → DECLINED at once',
      (now) => managedMit(now, { transaction: declinedTransaction({ responseCode: '41' }) }),
      'DECLINED',
    ],
  ];
  for (const [name, build, status] of rows) {
    it(name, async () => {
      const { api, clock } = newSandbox();
      const token = await accessToken(api);
      const response = await evaluate(api, token, build(clock.now())).expect(200);
      assert.equal(response.body.status, status);
    });
  }

  it('completes an order approved at evaluate, with a confirmation id, and leaves a declined one without', async () => {
    const { api, clock, sandbox } = newSandbox();
    const token = await accessToken(api);
    await evaluate(api, token, managedMit(clock.now(), { expiryDateUtc: undefined })).expect(200);
    await evaluate(api, token, cit({ paymentMethod: { cardNumber: '4000300011112220' } })).expect(200);
    const states = [...sandbox.orders.values()].map((o) => [o.state, o.confirmationId !== null]);
    assert.deepEqual(states, [
      ['completed', true],
      ['declined', false],
    ]);
  });

  it('knows the lost, stolen, pick-up, fraud and revocation codes', () => {
    for (const code of ['04', '07', '41', '43', '59', 'r0', 'r1', 'lost_card', 'pickup_card', 'fraudulent']) {
      assert.ok(HARD_DECLINE_CODES.has(code), code);
    }
  });

  it('decides the approval rate by orderId, the same way every time', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `INV-${i}`);
    const approved = ids.filter((id) => withinApprovalRate(id, 0.3));
    assert.ok(approved.length > 250 && approved.length < 350, String(approved.length));
    assert.deepEqual(
      ids.filter((id) => withinApprovalRate(id, 0.3)),
      approved,
    );
    assert.ok(ids.every((id) => withinApprovalRate(id, 1)));
    assert.ok(!ids.some((id) => withinApprovalRate(id, 0)));
  });
});
