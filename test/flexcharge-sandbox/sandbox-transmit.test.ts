import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { transmitResponseSchema } from '../../adapters/flexcharge/wire/responses.js';
import { accessToken, newSandbox } from './sandbox-test-kit.js';

const transmit = (overrides: Record<string, unknown> = {}) => ({
  isDeclined: false,
  isMIT: true,
  isRecurring: true,
  mid: DEMO_CREDENTIAL.mid,
  orderId: `INV-${randomUUID()}`,
  subscription: { subscriptionId: 'SUB-42', interval: 'monthly', price: 1999, currency: 'USD' },
  transaction: { id: `ch_${randomUUID()}`, amount: 1999, currency: 'USD' },
  payer: { email: 'jane@example.com' },
  paymentMethod: { cardBrand: 'VISA', cardLast4Digits: '3184', cardBinNumber: '400000' },
  ...overrides,
});

describe('sandbox /transmit', () => {
  it('answers success with a transmitId, the same one for the same order and transaction', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const body = transmit();
    const first = await api.post('/v1/transmit').auth(token, { type: 'bearer' }).send(body).expect(200);
    const parsed = transmitResponseSchema.parse(first.body);
    assert.deepEqual([parsed.success, parsed.result, parsed.status], [true, 'success', 0]);
    assert.match(String(parsed.transmitId), /^[0-9a-f-]{36}$/);
    const again = await api.post('/v1/transmit').auth(token, { type: 'bearer' }).send(body).expect(200);
    assert.equal(again.body.transmitId, parsed.transmitId);
    const other = await api
      .post('/v1/transmit')
      .auth(token, { type: 'bearer' })
      .send({ ...body, transaction: { id: 'ch_other', amount: 1999, currency: 'USD' } });
    assert.notEqual(other.body.transmitId, parsed.transmitId);
  });

  it('refuses card numbers and tokens in paymentMethod', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const body = transmit({ paymentMethod: { CardNumber: '4000002760003184', Token: true } });
    const response = await api.post('/v1/transmit').auth(token, { type: 'bearer' }).send(body).expect(400);
    assert.deepEqual(Object.keys(response.body.errors).sort(), [
      'PaymentMethod.CardNumber',
      'PaymentMethod.Token',
    ]);
  });

  it('applies the test-amount range and needs a bearer token', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const body = transmit({ transaction: { id: 't', amount: 5, currency: 'USD' } });
    await api.post('/v1/transmit').auth(token, { type: 'bearer' }).send(body).expect(400);
    await api.post('/v1/transmit').send(transmit()).expect(401);
  });
});
