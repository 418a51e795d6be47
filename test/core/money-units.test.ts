import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minorUnitDigits, toMajorUnits } from '../../plugin/core/currency-units.js';
import { money } from '../../plugin/core/money.js';

describe('currency units (Stripe’s table of minor-unit exponents)', () => {
  it('counts two-decimal currencies in hundredths', () => {
    assert.equal(minorUnitDigits('USD'), 2);
    assert.equal(minorUnitDigits('eur'), 2);
    assert.equal(toMajorUnits(money(1999, 'USD')), 19.99);
    assert.equal(toMajorUnits(money(5, 'GBP')), 0.05);
  });

  it('counts zero-decimal currencies in whole units', () => {
    for (const code of ['JPY', 'KRW', 'VND', 'CLP', 'XOF', 'BIF'])
      assert.equal(minorUnitDigits(code), 0, code);
    assert.equal(toMajorUnits(money(500, 'JPY')), 500);
  });

  it('counts three-decimal currencies in thousandths', () => {
    for (const code of ['BHD', 'JOD', 'KWD', 'OMR', 'TND']) assert.equal(minorUnitDigits(code), 3, code);
    assert.equal(toMajorUnits(money(5120, 'KWD')), 5.12);
    assert.equal(toMajorUnits(money(1, 'BHD')), 0.001);
  });

  it('follows Stripe where it differs from ISO 4217: ISK and UGX stay two-decimal in the API', () => {
    // ISO 4217 gives ISK and UGX no minor unit; Stripe's API still counts them in hundredths, so 500 is 5.
    assert.equal(minorUnitDigits('ISK'), 2);
    assert.equal(minorUnitDigits('UGX'), 2);
    assert.equal(toMajorUnits(money(500, 'ISK')), 5);
    assert.equal(toMajorUnits(money(500, 'UGX')), 5);
    // HUF and TWD are zero-decimal only for Stripe payouts; charges and refunds are two-decimal.
    assert.equal(toMajorUnits(money(12_345, 'HUF')), 123.45);
    assert.equal(toMajorUnits(money(100, 'TWD')), 1);
  });

  it('gives the exact decimal, with no binary-float noise, for every amount of a cent-precision range', () => {
    for (let cents = 0; cents <= 100_000; cents += 7) {
      const text = String(toMajorUnits(money(cents, 'USD')));
      assert.equal(text, (cents / 100).toFixed(2).replace(/\.?0+$/, '') || '0', `${cents}`);
    }
  });

  it('refuses a currency code that is not three letters', () => {
    assert.throws(() => minorUnitDigits('US'), RangeError);
  });
});
