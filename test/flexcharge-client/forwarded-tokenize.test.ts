import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cardHolderFromName,
  forwardedTokenizeBody,
  readForwardedTokenize,
} from '../../adapters/flexcharge/forwarded-tokenize.js';

describe('the /tokenize call a card vault forwards', () => {
  it('leaves every card field blank for the vault, and carries the holder', () => {
    const body = JSON.parse(
      forwardedTokenizeBody({ firstName: 'Jenny', lastName: 'Rosen', email: 'j@x.io' }),
    );
    assert.deepEqual(body, {
      payment_method: {
        email: 'j@x.io',
        credit_card: {
          first_name: 'Jenny',
          last_name: 'Rosen',
          number: '',
          verification_value: '',
          month: '',
          year: '',
        },
      },
    });
  });

  it('splits a full name at its last word, and refuses a single word', () => {
    assert.deepEqual(cardHolderFromName(' Ada  Lovelace King '), {
      firstName: 'Ada Lovelace',
      lastName: 'King',
    });
    assert.equal(cardHolderFromName('Cher'), null);
    assert.equal(cardHolderFromName(null), null);
  });

  it('reads the token at transaction.payment_method.token', () => {
    const body = JSON.stringify({
      transaction: { payment_method: { token: 'tok-1', last_four_digits: '4242' } },
      success: true,
    });
    assert.deepEqual(readForwardedTokenize(200, body), { ok: true, token: 'tok-1', last4: '4242' });
    assert.deepEqual(readForwardedTokenize(200, '{"success": true}'), {
      ok: false,
      reason: 'FlexCharge answered 200 without a token',
    });
  });

  it('describes a refusal by status and field names, never by echoing the body', () => {
    const refusal = JSON.stringify({
      errors: { 'PaymentMethod.CreditCard.Number': ['4000 0000 0000 9995 is real card data'] },
    });
    const read = readForwardedTokenize(400, refusal);
    assert.deepEqual(read, {
      ok: false,
      reason: 'FlexCharge refused the card (400): PaymentMethod.CreditCard.Number',
    });
    assert.deepEqual(readForwardedTokenize(401, ''), {
      ok: false,
      reason: 'FlexCharge refused the card (401)',
    });
  });
});
