import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { transmitResponseSchema } from '../../adapters/flexcharge/wire/responses.js';
import { accessToken, DEMO_SITE_ID, declinedTransaction, newSandbox, START } from './sandbox-test-kit.js';

const transmit = (overrides: Record<string, unknown> = {}) => ({
  isDeclined: false,
  isMIT: true,
  isRecurring: true,
  mid: DEMO_CREDENTIAL.mid,
  siteId: DEMO_SITE_ID,
  orderId: `INV-${randomUUID()}`,
  subscription: { subscriptionId: 'SUB-42', interval: 'monthly', price: 1999, currency: 'USD' },
  transaction: declinedTransaction({ responseCode: '00' }),
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
      .send({ ...body, transaction: declinedTransaction({ id: 'ch_other' }) });
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

  it('requires the 2024 transaction codes and, for a MIT, a site; requiredFields: latest does not', async () => {
    const body = transmit({
      siteId: undefined,
      transaction: { id: 'ch_1', timestampUtc: START, amount: 1999, currency: 'USD' },
    });
    // A merchant whose sites the sandbox does not know must name one (a single-site one is assigned it).
    const strict = newSandbox({ credentials: [{ ...DEMO_CREDENTIAL, siteIds: undefined }] });
    const refused = await strict.api
      .post('/v1/transmit')
      .auth(await accessToken(strict.api), { type: 'bearer' })
      .send(body)
      .expect(400);
    assert.deepEqual(Object.keys(refused.body.errors).sort(), [
      'SiteId',
      'Transaction.AvsResultCode',
      'Transaction.CavvResultCode',
      'Transaction.CvvResultCode',
      'Transaction.ResponseCode',
      'Transaction.ResponseCodeSource',
    ]);
    const latest = newSandbox({ requiredFields: 'latest' });
    await latest.api
      .post('/v1/transmit')
      .auth(await accessToken(latest.api), { type: 'bearer' })
      .send(body)
      .expect(200);
  });

  it('applies the test-amount range and needs a bearer token', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const body = transmit({ transaction: declinedTransaction({ amount: 5 }) });
    await api.post('/v1/transmit').auth(token, { type: 'bearer' }).send(body).expect(400);
    await api.post('/v1/transmit').send(transmit()).expect(401);
  });
});
