import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/create-flexcharge-sandbox.js';
import { tokenizeResponseSchema } from '../../adapters/flexcharge/wire/responses.js';
import { accessToken, cit, evaluate, managedMit, newSandbox, RESCUED_PAN } from './sandbox-test-kit.js';

const card = (number: string) => ({
  payment_method: {
    credit_card: {
      first_name: 'Cure',
      last_name: 'Tester',
      number,
      verification_value: '999',
      month: '09',
      year: '2030',
    },
  },
});
const byQuery = `/v1/tokenize?mid=${DEMO_CREDENTIAL.mid}&environment=${DEMO_CREDENTIAL.tokenizationKey}`;

describe('sandbox /tokenize', () => {
  it('vaults a test card for the documented mid and tokenization key, and evaluate takes the token', async () => {
    const { api, clock } = newSandbox();
    const response = await api.post(byQuery).send(card(RESCUED_PAN)).expect(200);
    const body = tokenizeResponseSchema.parse(response.body);
    const paymentMethod = body.transaction.payment_method;
    assert.equal(paymentMethod.last_four_digits, '3184');
    assert.equal(paymentMethod.month, 9);
    assert.equal(paymentMethod.year, 2030);
    assert.equal(response.body.transaction.payment_method.number, null);
    assert.ok(!JSON.stringify(response.body).includes(RESCUED_PAN));

    const token = await accessToken(api);
    const mit = managedMit(clock.now(), { paymentMethod: { Token: true, cardNumber: paymentMethod.token } });
    const evaluated = await evaluate(api, token, mit).expect(200);
    assert.equal(evaluated.body.status, 'SUBMITTED');
  });

  it('also accepts a bearer token instead of the query, as ActiveMerchant calls it', async () => {
    const { api } = newSandbox();
    const token = await accessToken(api);
    const response = await api.post('/v1/tokenize').auth(token, { type: 'bearer' }).send(card(RESCUED_PAN));
    assert.equal(response.status, 200);
    assert.ok(response.body.transaction.payment_method.token);
  });

  it('accepts an empty CVV, which then counts as no CVV in the rule table', async () => {
    const { api } = newSandbox();
    const noCvv = card('4111111111111111');
    noCvv.payment_method.credit_card.verification_value = '';
    const vaulted = await api.post(byQuery).send(noCvv).expect(200);
    const token = await accessToken(api);
    const checkout = cit({
      payer: { email: 'jane@example.com' },
      paymentMethod: { token: true, cardNumber: vaulted.body.transaction.payment_method.token },
    });
    assert.equal((await evaluate(api, token, checkout).expect(200)).body.status, 'DECLINED');
  });

  it('answers 401 to a wrong tokenization key and to no authentication at all', async () => {
    const { api } = newSandbox();
    await api
      .post(`/v1/tokenize?mid=${DEMO_CREDENTIAL.mid}&environment=not-the-key`)
      .send(card(RESCUED_PAN))
      .expect(401);
    await api.post('/v1/tokenize').send(card(RESCUED_PAN)).expect(401);
  });

  it('refuses a card number that is not a whitelisted test card', async () => {
    const { api } = newSandbox();
    const response = await api.post(byQuery).send(card('4532015112830366')).expect(400);
    assert.match(response.body.errors['PaymentMethod.CreditCard.Number'][0], /Real card data is not allowed/);
  });

  it('does not let another merchant use the token', async () => {
    const other = {
      appKey: 'other-app',
      appSecret: 'other-secret',
      mid: '0b9d1c52-8f7e-4c3a-9d2b-1a0f9e8d7c6b',
      tokenizationKey: 'other-key',
    };
    const { api, clock } = newSandbox({ credentials: [DEMO_CREDENTIAL, other] });
    const vaulted = await api.post(byQuery).send(card(RESCUED_PAN)).expect(200);
    const login = await api
      .post('/v1/oauth2/token')
      .send({ AppKey: other.appKey, AppSecret: other.appSecret });
    const mit = managedMit(clock.now(), {
      mid: other.mid,
      paymentMethod: { token: true, cardNumber: vaulted.body.transaction.payment_method.token },
    });
    await evaluate(api, login.body.accessToken, mit).expect(400);
  });
});
