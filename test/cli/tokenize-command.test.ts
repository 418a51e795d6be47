import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { runTokenizeCommand } from '../../plugin/cli/tokenize-command.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { subscribeMonthly } from '../../plugin/runtime/local-subscriber.js';
import { createCardTokenRepository } from '../../plugin/storage/card-token-repository.js';
import { type E2E, startE2E } from '../e2e/plugin-harness.js';

const KEY = randomBytes(32).toString('base64');
const PANS = ['4242424242424242', '5555555555554444'];

/**
 * A merchant whose checkout never tokenized with FlexCharge: `tokenize` has Stripe's Vault and
 * Forward send the cards on file to the FlexCharge sandbox's /tokenize (real HTTP, the real SDK, the
 * Stripe emulator), stores the tokens encrypted, forwards nothing twice, and a later declined renewal
 * of such a card is evaluated with its token.
 */
describe('flexcharge-mit tokenize, through the Stripe emulator to the FlexCharge sandbox', () => {
  let e2e: E2E;
  let visa: { customer: Stripe.Customer; pm: Stripe.PaymentMethod; subscription: Stripe.Subscription };
  let mastercard: { customer: Stripe.Customer; pm: Stripe.PaymentMethod };
  let nameless: { customer: Stripe.Customer; pm: Stripe.PaymentMethod };

  before(async () => {
    e2e = await startE2E({ ENCRYPTION_KEY: KEY });
    const customerWith = async (testCard: string, name?: string) => {
      const customer = await e2e.stripe.customers.create({
        email: 'jenny@example.com',
        phone: '+33 1 23 45 67 89',
        address: {
          line1: '1 Main St',
          city: 'San Francisco',
          state: 'CA',
          postal_code: '94105',
          country: 'US',
        },
        ...(name ? { name } : {}),
      });
      const pm = await e2e.stripe.paymentMethods.attach(testCard, { customer: customer.id });
      return { customer, pm };
    };
    const v = await customerWith('pm_card_visa', 'Jenny Rosen');
    const { subscription } = await subscribeMonthly(e2e.stripe, v.customer.id, v.pm.id);
    visa = { ...v, subscription };
    mastercard = await customerWith('pm_card_mastercard', 'Ada Lovelace');
    nameless = await customerWith('pm_card_visa');
    await e2e.settle();
  });
  after(() => e2e.close());

  async function tokenize(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runTokenizeCommand(
      [
        '--merchant',
        'default',
        '--api-key-env',
        'STRIPE_KEY',
        '--api-base',
        e2e.plugin.stripe.emulator!.url,
        ...(args.includes('--flexcharge-url')
          ? []
          : ['--flexcharge-url', e2e.plugin.flexcharge.sandbox!.baseUrl]),
        '--json',
        ...args,
      ],
      loadConfig({ FLEXCHARGE_ENV: 'local', ENCRYPTION_KEY: KEY }),
      {
        logger: silentLogger,
        print: (line) => out.push(line),
        printError: (line) => err.push(line),
        database: e2e.database,
        env: { STRIPE_KEY: e2e.emulator.apiKey },
        clock: e2e.clock,
      },
    );
    const text = [...out, ...err].join('\n');
    for (const pan of PANS) assert.ok(!text.includes(pan), 'no card number in the output');
    return {
      code,
      err: err.join('\n'),
      destination: code === 2 ? '' : (JSON.parse(out.join('\n') || '{}').destination as string),
      cards: code === 2 ? [] : (JSON.parse(out.join('\n') || '{"cards": []}').cards as Card[]),
    };
  }
  type Card = { paymentMethodId: string; verdict: string; why: string | null; forwardingRequestId: string };

  const tokenizeCalls = () => e2e.sandboxCalls('/v1/tokenize').length;
  const storedToken = (pm: string) =>
    createCardTokenRepository(e2e.database.db, e2e.plugin.secrets).find('default', 'stripe', pm);

  it('forwards a card on file, stores its token encrypted, and keeps the card number out of Stripe', async () => {
    const before = tokenizeCalls();
    const { code, cards } = await tokenize('--payment-method', visa.pm.id);
    assert.equal(code, 0);
    assert.deepEqual(
      cards.map((c) => [c.paymentMethodId, c.verdict]),
      [[visa.pm.id, 'tokenized']],
    );
    assert.equal(tokenizeCalls(), before + 1, 'one /tokenize, sent by Stripe');
    const token = await storedToken(visa.pm.id);
    assert.ok(token, 'the token is stored');
    const row = await e2e.database.db
      .selectFrom('flexcharge_mit.card_tokens')
      .selectAll()
      .where('payment_method_id', '=', visa.pm.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.token, null, 'not in clear');
    assert.ok(row.token_ciphertext && !Buffer.from(row.token_ciphertext).toString('latin1').includes(token));

    const forwarded = await e2e.stripe.forwarding.requests.retrieve(cards[0]!.forwardingRequestId);
    assert.deepEqual(forwarded.replacements, ['card_number', 'card_expiry']);
    assert.equal(forwarded.metadata?.flexcharge_mit_merchant, 'default');
    const sent = JSON.parse(forwarded.request_details?.body ?? '{}').payment_method.credit_card;
    assert.equal(sent.number, '424242******4242');
    assert.equal(sent.first_name, 'Jenny');
    assert.equal(sent.last_name, 'Rosen');
    assert.ok(!JSON.stringify(forwarded).includes(PANS[0] ?? '4242424242424242'));
  });

  it('run again, forwards nothing: a card with a token is left alone', async () => {
    const before = tokenizeCalls();
    const forwardedBefore = (await e2e.stripe.forwarding.requests.list({ limit: 100 })).data.length;
    const tokenBefore = await storedToken(visa.pm.id);
    for (const run of [1, 2]) {
      const { code, cards } = await tokenize('--payment-method', visa.pm.id);
      assert.equal(code, 0, `run ${run}`);
      assert.deepEqual(
        cards.map((c) => c.verdict),
        ['already_tokenized'],
      );
    }
    assert.equal(tokenizeCalls(), before);
    assert.equal((await e2e.stripe.forwarding.requests.list({ limit: 100 })).data.length, forwardedBefore);
    assert.equal(await storedToken(visa.pm.id), tokenBefore);
  });

  it('--dry-run lists what it would forward and forwards nothing', async () => {
    const before = tokenizeCalls();
    const { cards, destination } = await tokenize('--customer', mastercard.customer.id, '--dry-run');
    assert.equal(destination, `${e2e.plugin.flexcharge.sandbox!.baseUrl}tokenize`, 'the URL to enable');
    assert.deepEqual(
      cards.map((c) => [c.paymentMethodId, c.verdict]),
      [[mastercard.pm.id, 'would_tokenize']],
    );
    assert.equal(tokenizeCalls(), before);
    assert.equal(await storedToken(mastercard.pm.id), null);
  });

  it('a destination Stripe has not enabled is refused: the card fails, nothing reaches FlexCharge', async () => {
    // The same sandbox on another port: a URL the emulator's forwarding config does not list.
    const other = await e2e.sandbox.listen();
    try {
      const before = tokenizeCalls();
      const { code, cards } = await tokenize(
        '--customer',
        mastercard.customer.id,
        '--flexcharge-url',
        other.baseUrl,
      );
      assert.equal(code, 1);
      assert.equal(cards[0]?.verdict, 'failed');
      assert.match(cards[0]?.why ?? '', /not supported by your forwarding configuration/);
      assert.equal(tokenizeCalls(), before);
      assert.equal(await storedToken(mastercard.pm.id), null);
    } finally {
      await other.close();
    }
  });

  it('--all tokenizes the rest, and names the card FlexCharge cannot take without a holder name', async () => {
    const { code, cards } = await tokenize('--all');
    assert.equal(code, 1, 'one card failed');
    const verdicts = Object.fromEntries(cards.map((c) => [c.paymentMethodId, c.verdict]));
    assert.equal(verdicts[visa.pm.id], 'already_tokenized');
    assert.equal(verdicts[mastercard.pm.id], 'tokenized');
    assert.equal(verdicts[nameless.pm.id], 'failed');
    assert.match(cards.find((c) => c.paymentMethodId === nameless.pm.id)?.why ?? '', /first and last name/);
    assert.ok(await storedToken(mastercard.pm.id));
  });

  it('the forwarded token lets a declined renewal be evaluated', async () => {
    const token = await storedToken(visa.pm.id);
    await e2e.declineNextCharges(visa.pm.id, 'insufficient_funds');
    const invoice = await e2e.renew(visa.subscription.id);
    assert.equal(invoice.status, 'open');
    const rescue = await e2e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.ineligibleReason, null);
    assert.equal(rescue?.rescue.state, 'held', JSON.stringify(rescue?.history.map((h) => h.note)));
    const bodies = (await e2e.evaluateBodies()).filter((b) => b.orderId === invoice.id);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]?.paymentMethod.token, true);
    // The call log keeps the token redacted to its last four characters; that the sandbox answered
    // SUBMITTED (held) shows it took the token, which it honours only for cards it vaulted itself.
    assert.equal(bodies[0]?.paymentMethod.cardNumber, `…${token?.slice(-4)}`);
  });

  it('usage: exactly one of --payment-method, --customer, --all', async () => {
    const { code, err } = await tokenize('--all', '--customer', visa.customer.id);
    assert.equal(code, 2);
    assert.match(err, /exactly one of/);
  });
});
