import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLEXCHARGE_RESCUED_PAN } from '../../plugin/runtime/local-subscriber.js';
import { findSecrets, luhnValid } from '../support/log-secrets.js';

const kinds = (line: string, known: string[] = []) => findSecrets(line, known).map((f) => f.kind);

describe('the log scan finds what must never be logged', () => {
  it('finds card numbers, plain or grouped, and only Luhn-valid ones of a card network', () => {
    assert.ok(luhnValid('4242424242424242'));
    assert.deepEqual(kinds(`{"pan":"${FLEXCHARGE_RESCUED_PAN}"}`), ['card number']);
    assert.deepEqual(kinds('card 4000 0566 5566 5556 declined'), ['card number']);
    assert.deepEqual(kinds('card 5555-5555-5555-4444'), ['card number']);
    assert.deepEqual(kinds('{"amount":4242424242424241}'), [], 'not Luhn-valid');
    assert.deepEqual(kinds('{"at":1772442000000,"ms":1772442000007}'), [], 'epoch milliseconds');
    assert.deepEqual(kinds('{"version":"4.242424242424242"}'), [], 'a decimal');
    // An order id whose digit groups chain into a Luhn-valid run: one GUID in ten does.
    assert.deepEqual(kinds('{"orderId":"deadbeef-4242-4242-4242-424242424242"}'), [], 'a GUID');
  });

  it('finds Stripe keys, webhook secrets, bearer credentials, merchant keys and FlexCharge tokens', () => {
    assert.deepEqual(kinds('key sk_test_51AbCdEf rk_live_Zx9Yw8Vu'), [
      'stripe secret key',
      'stripe secret key',
    ]);
    assert.deepEqual(kinds('secret whsec_Q1w2E3r4T5y6'), ['stripe webhook secret']);
    assert.deepEqual(kinds('"authorization":"Bearer http-admin-token-0123"'), ['bearer credential']);
    assert.deepEqual(kinds(`fcm_0123456789ab_${'A'.repeat(43)}`), ['merchant api key']);
    assert.deepEqual(kinds('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLXZhbHVl'), [
      'json web token',
    ]);
    assert.deepEqual(kinds('AQAAAAEAACcQAAAAEFNhbmRib3hEZW1vU2VjcmV0'), ['flexcharge refresh token']);
  });

  it('finds a known secret by value (a card token is a bare UUID), and passes ordinary lines', () => {
    const token = '3f0c9a52-7f6e-4a0c-9d1e-2b7c8e5f4a31';
    assert.deepEqual(kinds(`{"message":"evaluate","token":"${token}"}`, [token]), [
      'known secret of this run',
    ]);
    assert.deepEqual(
      kinds(
        '{"level":"info","time":"2026-03-02T09:00:00.000Z","pid":123,"merchantId":"default","rescueId":"3f0c9a52-7f6e-4a0c-9d1e-2b7c8e5f4a32","invoiceId":"in_1Abc","message":"rescue moved"}',
        [token],
      ),
      [],
    );
  });
});
