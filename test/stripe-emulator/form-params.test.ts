import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFormParams, queryStringOf } from '../../adapters/stripe/emulator/form-params.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('Stripe emulator: form parameter decoding', () => {
  it('nests bracketed keys into objects and indexed keys into arrays', () => {
    const decoded = decodeFormParams(
      'customer=cus_1&items[0][price]=price_a&items[0][quantity]=2&items[1][price]=price_b&metadata[plan]=pro&metadata[note]=a%20b%2Bc',
    );
    assert.deepEqual(plain(decoded), {
      customer: 'cus_1',
      items: [{ price: 'price_a', quantity: '2' }, { price: 'price_b' }],
      metadata: { plan: 'pro', note: 'a b+c' },
    });
  });

  it('reads expand[] and expand[0] as arrays, keeps empty values, and decodes + as a space', () => {
    assert.deepEqual(plain(decodeFormParams('expand[]=payments&expand[]=customer')), {
      expand: ['payments', 'customer'],
    });
    assert.deepEqual(plain(decodeFormParams('expand[0]=payments&metadata[old]=&description=two+words')), {
      expand: ['payments'],
      metadata: { old: '' },
      description: 'two words',
    });
  });

  it('treats prototype keys as ordinary unknown parameters', () => {
    const decoded = decodeFormParams('__proto__[polluted]=yes&constructor[x]=1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(decoded).sort(), ['__proto__', 'constructor']);
  });

  it('takes the query string from a request URL', () => {
    assert.equal(queryStringOf('/v1/invoices?subscription=sub_1&limit=3'), 'subscription=sub_1&limit=3');
    assert.equal(queryStringOf('/v1/invoices'), '');
  });
});
