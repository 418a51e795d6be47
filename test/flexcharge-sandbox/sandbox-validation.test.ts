import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { evaluateResponseSchema } from '../../adapters/flexcharge/wire/responses.js';
import { DAY_MS } from '../../plugin/core/clock.js';
import {
  accessToken,
  DEMO_SITE_ID,
  declinedTransaction,
  evaluate,
  managedMit,
  newSandbox,
  START,
} from './sandbox-test-kit.js';

const TRACE_ID = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('sandbox request validation', () => {
  it('names every missing required field in a ValidationProblemDetails body', async () => {
    // A merchant with no site registered: the sandbox has no site to assign, so one must be named.
    const { api } = newSandbox({ credentials: [{ ...DEMO_CREDENTIAL, siteIds: undefined }] });
    const token = await accessToken(api);
    const response = await evaluate(api, token, { transaction: {}, payer: {}, paymentMethod: {} }).expect(
      400,
    );
    assert.equal(response.body.status, 400);
    assert.equal(response.body.title, 'One or more validation errors occurred.');
    assert.match(response.body.traceId, TRACE_ID);
    assert.equal(response.headers['x-trace-id'], response.body.traceId);
    assert.deepEqual(response.body.errors, {
      OrderId: ["Merchant's orderId is required"],
      'Transaction.Id': ['The Id field is required.'],
      'Transaction.TimestampUtc': ['The TimestampUtc field is required.'],
      'Transaction.Amount': ['The Amount field is required.'],
      'Transaction.Currency': ['The Currency field is required.'],
      'Payer.Email': ['The Email field is required.'],
      'PaymentMethod.CardNumber': ['The CardNumber field is required.'],
      IsDeclined: ['The IsDeclined field is required.'],
      IdempotencyKey: ['The IdempotencyKey field is required.'],
      Mid: ['The Mid field is required.'],
      IsMIT: ['The IsMIT field is required.'],
      BillingInformation: ['The BillingInformation field is required.'],
      'Transaction.ResponseCode': ['The ResponseCode field is required.'],
      'Transaction.ResponseCodeSource': ['The ResponseCodeSource field is required.'],
      'Transaction.AvsResultCode': ['The AvsResultCode field is required.'],
      'Transaction.CvvResultCode': ['The CvvResultCode field is required.'],
      'Transaction.CavvResultCode': ['The CavvResultCode field is required.'],
      SiteId: ['The SiteId field is required when no SiteUrl or Transaction.DynamicDescriptor is sent.'],
    });
  });

  it('treats an empty string as missing and an unparsable value as invalid', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now(), {
      orderId: '',
      expiryDateUtc: '',
      orderItems: [{ amount: 'twelve' }],
    });
    const response = await evaluate(api, token, body).expect(400);
    assert.deepEqual(response.body.errors, {
      OrderId: ["Merchant's orderId is required"],
      ExpiryDateUtc: ['The field ExpiryDateUtc is invalid.'],
      'OrderItems[0].Amount': ['The field Amount is invalid.'],
    });
  });

  it('refuses test amounts of 10 cents or less and of 20000 cents or more', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    for (const amount of [10, 20_000]) {
      const body = managedMit(clock.now(), { transaction: declinedTransaction({ amount }) });
      const response = await evaluate(api, token, body).expect(400);
      assert.deepEqual(Object.keys(response.body.errors), ['Transaction.Amount']);
      assert.match(response.body.errors['Transaction.Amount'][0], /greater than 10 and less than 20000/);
    }
    for (const amount of [11, 19_999]) {
      const body = managedMit(clock.now(), { transaction: declinedTransaction({ amount }) });
      await evaluate(api, token, body).expect(200);
    }
  });

  it('refuses a managed MIT whose expiry is less than 14 days away and accepts one 14 days away', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const inDays = (days: number) => new Date(clock.now().getTime() + days * DAY_MS).toISOString();
    const tooSoon = await evaluate(api, token, managedMit(clock.now(), { expiryDateUtc: inDays(13) })).expect(
      400,
    );
    assert.match(tooSoon.body.errors.ExpiryDateUtc[0], /at least 14 days after now/);
    await evaluate(api, token, managedMit(clock.now(), { expiryDateUtc: inDays(14) })).expect(200);
  });

  it('refuses a managed MIT whose expiry is more than 90 days away', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const expiryDateUtc = new Date(clock.now().getTime() + 91 * DAY_MS).toISOString();
    const response = await evaluate(api, token, managedMit(clock.now(), { expiryDateUtc })).expect(400);
    assert.match(response.body.errors.ExpiryDateUtc[0], /at most 90 days/);
  });

  it('requires a subscription for a recurring MIT', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const response = await evaluate(api, token, managedMit(clock.now(), { subscription: null })).expect(400);
    assert.deepEqual(Object.keys(response.body.errors), ['Subscription']);
  });

  it('accepts property names in any casing, as ASP.NET binds them', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const response = await evaluate(api, token, {
      IsDeclined: true,
      ISMIT: true,
      IsRecurring: false,
      Mid: DEMO_CREDENTIAL.mid,
      SiteID: DEMO_SITE_ID,
      OrderId: `INV-${randomUUID()}`,
      IdempotencyKey: randomUUID(),
      ExpiryDateUtc: new Date(clock.now().getTime() + 21 * DAY_MS).toISOString(),
      TransactionType: 'Purchase',
      Transaction: {
        ID: 'ch_1',
        TimestampUTC: START,
        AMOUNT: 1999,
        Currency: 'usd',
        responsecode: '51',
        ResponseCodeSource: 'stripe',
        AvsResultCode: 'NA',
        CVVResultCode: 'NA',
        CavvResultCode: 'NA',
      },
      Payer: { EMAIL: 'jane@example.com' },
      BillingInformation: {
        FirstName: 'Jane',
        lastname: 'Doe',
        Country: 'France',
        CountryCode: 'FR',
        AddressLine1: '1 Rue de Rivoli',
        City: 'Paris',
        zipcode: '75001',
      },
      PaymentMethod: { Token: false, CardNumber: '4000002760003184' },
    }).expect(200);
    assert.equal(evaluateResponseSchema.parse(response.body).status, 'SUBMITTED');
  });

  it('reads numbers sent as JSON strings, as ASP.NET Core does', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now(), {
      transaction: declinedTransaction({ amount: '1999', timezoneUtcOffset: '-5' }),
    });
    await evaluate(api, token, body).expect(200);
    const words = managedMit(clock.now(), { transaction: declinedTransaction({ amount: 'lots' }) });
    const refused = await evaluate(api, token, words).expect(400);
    assert.deepEqual(refused.body.errors, { 'Transaction.Amount': ['The field Amount is invalid.'] });
  });

  it('answers the flat 2024 dictionary when configured so', async () => {
    const { api, clock } = newSandbox({ errorShape: 'flat' });
    const token = await accessToken(api);
    const body = managedMit(clock.now());
    delete body.idempotencyKey;
    const response = await evaluate(api, token, body).expect(400);
    assert.deepEqual(Object.keys(response.body).sort(), ['IdempotencyKey', 'TraceId']);
    assert.match(response.body.TraceId[0], TRACE_ID);
    assert.deepEqual(response.body.IdempotencyKey, ['The IdempotencyKey field is required.']);
  });

  it('refuses malformed JSON with 400 and a body that is not JSON with 415', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const malformed = await api
      .post('/v1/evaluate')
      .auth(token, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"orderId": ')
      .expect(400);
    assert.ok(malformed.body.errors.$);
    await api
      .post('/v1/evaluate')
      .auth(token, { type: 'bearer' })
      .set('content-type', 'text/plain')
      .send('{}')
      .expect(415);
  });

  it('refuses a mid other than the token’s with 403', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const body = managedMit(clock.now(), { mid: '0b9d1c52-8f7e-4c3a-9d2b-1a0f9e8d7c6b' });
    const response = await evaluate(api, token, body).expect(403);
    assert.equal(response.body.status, 403);
    assert.match(response.body.traceId, TRACE_ID);
  });

  it('refuses a real card number and a token it never issued', async () => {
    const { api, clock } = newSandbox();
    const token = await accessToken(api);
    const realCard = managedMit(clock.now(), { paymentMethod: { cardNumber: '4532015112830366' } });
    const refused = await evaluate(api, token, realCard).expect(400);
    assert.match(refused.body.errors['PaymentMethod.CardNumber'][0], /Real card data is not allowed/);
    const unknownToken = managedMit(clock.now(), {
      paymentMethod: { cardNumber: randomUUID(), token: true },
    });
    const unknown = await evaluate(api, token, unknownToken).expect(400);
    assert.match(unknown.body.errors['PaymentMethod.CardNumber'][0], /unknown/);
  });
});
