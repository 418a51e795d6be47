import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskLast4, REDACTED, redact, redactText } from '../../adapters/flexcharge/redact.js';

describe('redaction of FlexCharge bodies', () => {
  it('keeps only the last four digits of a card number in the tokenize body and drops the CVV', () => {
    const out = redact({
      payment_method: {
        credit_card: {
          first_name: 'Cure',
          number: '4111111111111111',
          verification_value: '999',
          month: '09',
        },
      },
    });
    assert.deepEqual(out, {
      payment_method: {
        credit_card: { first_name: 'Cure', number: '…1111', verification_value: REDACTED, month: '09' },
      },
    });
  });

  it('masks a card token in evaluate but keeps the token flag and the descriptive last four', () => {
    const out = redact({
      paymentMethod: {
        cardNumber: 'd3e10716-6aac-4eb8-a74d-c1a3027f1d96',
        Token: true,
        cardLast4Digits: '1111',
      },
      threeDSecure: { authenticationValue: 'AAABCSIIAAAAAAACcwgAEMCoNh=', EcommerceIndicator: '05' },
    }) as { paymentMethod: Record<string, unknown>; threeDSecure: Record<string, unknown> };
    assert.equal(out.paymentMethod.cardNumber, '…1d96');
    assert.equal(out.paymentMethod.Token, true);
    assert.equal(out.paymentMethod.cardLast4Digits, '1111');
    assert.equal(out.threeDSecure.authenticationValue, REDACTED);
    assert.equal(out.threeDSecure.EcommerceIndicator, '05');
  });

  it('masks the token in a tokenize response', () => {
    const out = redact({
      transaction: { payment_method: { token: 'zJb6YF7pL5gk8x9VhRnSwHd4q2t', last_four_digits: '3184' } },
    });
    assert.deepEqual(out, { transaction: { payment_method: { token: '…4q2t', last_four_digits: '3184' } } });
  });

  it('removes the AppSecret, access and refresh tokens and any Authorization value whatever their casing', () => {
    const out = redact({
      AppKey: '2/tprAqlvujvIZonWkLntQMj3CbH7Y9sKLqTTdWu',
      AppSecret: 'AQAAAAEAACcQAAAAEFb',
      accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abc',
      refresh_token: 'AQAAAAEAACcQAAAAEG5H7emaTnpU',
      Authorization: 'Bearer abc.def.ghi',
      expires: 1712237948565,
    });
    assert.deepEqual(out, {
      AppKey: '…TdWu',
      AppSecret: REDACTED,
      accessToken: REDACTED,
      refresh_token: REDACTED,
      Authorization: REDACTED,
      expires: 1712237948565,
    });
  });

  it('masks Luhn-valid card numbers and bearer tokens inside free text but leaves other numbers alone', () => {
    const text = redactText(
      "The value '4000 0027 6000 3184' is not valid; order 1712237948565123 sent with Bearer eyJhbGciOi.x.y",
    );
    assert.equal(text, `The value '…3184' is not valid; order 1712237948565123 sent with Bearer ${REDACTED}`);
  });

  it('blanks known secrets wherever they appear in a string', () => {
    assert.equal(
      redactText('key s3cr3t-value leaked', { secrets: ['s3cr3t-value'] }),
      `key ${REDACTED} leaked`,
    );
    assert.deepEqual(redact({ note: ['x s3cr3t-value'] }, { secrets: ['s3cr3t-value'] }), {
      note: [`x ${REDACTED}`],
    });
  });

  it('redacts short values entirely rather than showing most of them', () => {
    assert.equal(maskLast4('12345'), REDACTED);
    assert.equal(maskLast4('123456789'), '…6789');
  });

  it('leaves nulls, numbers and booleans as they are', () => {
    assert.deepEqual(redact({ number: null, cvv: null, amount: 1999, token: false }), {
      number: null,
      cvv: null,
      amount: 1999,
      token: false,
    });
  });

  it('leaves a GUID whose digit groups chain into a Luhn-valid run alone (a 3-DS transaction id is no card)', () => {
    // 003-1234-5678-9012 inside it is a Luhn-valid run of 15 digits.
    const guid = 'a562b003-1234-5678-9012-e358a1616c35';
    assert.equal(redactText(`dsTransID ${guid}`), `dsTransID ${guid}`);
    assert.equal(redactText('card 4242-4242-4242-4242 paid'), 'card …4242 paid');
  });
});
