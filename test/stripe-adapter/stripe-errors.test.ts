import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Stripe from 'stripe';
import { mapStripeError } from '../../adapters/stripe/map-stripe-error.js';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import { createStripeClient } from '../../adapters/stripe/stripe-config.js';
import { ConflictError, NotFoundError, ProviderError } from '../../plugin/core/errors.js';
import { type AdapterHarness, DAY_MS, failedRenewal, startAdapterHarness } from './support.js';

const isProviderError = (retryable: boolean, statusCode?: number) => (error: unknown) => {
  assert.ok(error instanceof ProviderError, String(error));
  assert.equal(error.provider, 'stripe');
  assert.equal(error.retryable, retryable);
  if (statusCode !== undefined) assert.equal(error.statusCode, statusCode);
  return true;
};

describe('Stripe adapter: errors from a running emulator', () => {
  let h: AdapterHarness;
  beforeEach(async () => {
    h = await startAdapterHarness();
  });
  afterEach(() => h.close());

  it('turns an unknown invoice into NotFoundError, for every call that takes one', async () => {
    const hold = { rescueId: 'rsc_1', until: new Date() };
    for (const call of [
      () => h.adapter.invoiceStatus('in_missing'),
      () => h.adapter.loadRenewalFailure('in_missing'),
      () => h.adapter.holdRetries('in_missing', hold),
      () => h.adapter.loadCharge('ch_missing'),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof NotFoundError);
        assert.match(error.message, /No such (invoice|charge)/);
        assert.ok(error.cause instanceof Stripe.errors.StripeInvalidRequestError);
        return true;
      });
    }
  });

  it('turns a refused API key into a ProviderError that is not retryable, keeping the request id', async () => {
    const stripe = createStripeClient({
      secretKey: 'sk_test_wrong000000',
      apiBase: h.server.url,
      maxNetworkRetries: 0,
    });
    const adapter = createStripeBillingAdapter({ stripe, webhookSecret: 'whsec_x', clock: h.clock });
    await assert.rejects(adapter.invoiceStatus('in_any'), (error: unknown) => {
      isProviderError(false, 401)(error);
      assert.match((error as ProviderError).providerRequestId ?? '', /^req_/);
      return true;
    });
  });

  it('turns a request Stripe refuses (holding a void invoice) into a ProviderError that is not retryable', async () => {
    const { renewal } = await failedRenewal(h);
    await h.stripe.invoices.voidInvoice(renewal.id);
    await assert.rejects(
      h.adapter.holdRetries(renewal.id, {
        rescueId: 'rsc_1',
        until: new Date(h.clock.now().getTime() + DAY_MS),
      }),
      isProviderError(false, 400),
    );
  });

  it('turns an unreachable Stripe into a retryable ProviderError', async () => {
    await h.server.close();
    await assert.rejects(h.adapter.invoiceStatus('in_any'), (error: unknown) => {
      isProviderError(true)(error);
      assert.ok((error as ProviderError).cause instanceof Stripe.errors.StripeConnectionError);
      return true;
    });
  });
});

describe('Stripe adapter: mapStripeError', () => {
  const raw = (extra: Record<string, unknown>) => ({ message: 'boom', requestId: 'req_1', ...extra });

  it('marks rate limits, API errors, 5xx, 409 and lock timeouts retryable', () => {
    for (const error of [
      new Stripe.errors.StripeRateLimitError(raw({ statusCode: 429 })),
      new Stripe.errors.StripeAPIError(raw({ statusCode: 500 })),
      new Stripe.errors.StripeConnectionError(raw({})),
      new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 503 })),
      new Stripe.errors.StripeIdempotencyError(raw({ statusCode: 409 })),
      new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 400, code: 'lock_timeout' })),
    ]) {
      const mapped = mapStripeError(error, 'update invoice in_1');
      assert.ok(isProviderError(true)(mapped));
      assert.equal((mapped as ProviderError).providerRequestId, 'req_1');
      assert.equal(mapped.message, 'update invoice in_1: boom');
      assert.equal(mapped.cause, error);
    }
  });

  it('marks invalid requests, auth, permission, idempotency mismatches and card errors not retryable', () => {
    for (const error of [
      new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 400 })),
      new Stripe.errors.StripeAuthenticationError(raw({ statusCode: 401 })),
      new Stripe.errors.StripePermissionError(raw({ statusCode: 403 })),
      new Stripe.errors.StripeIdempotencyError(raw({ statusCode: 400 })),
      new Stripe.errors.StripeCardError(raw({ statusCode: 402, code: 'card_declined' })),
    ]) {
      assert.ok(isProviderError(false)(mapStripeError(error, 'x')));
    }
  });

  it('maps resource_missing to NotFoundError and leaves other errors as they are', () => {
    const missing = new Stripe.errors.StripeInvalidRequestError(
      raw({ statusCode: 404, code: 'resource_missing' }),
    );
    assert.ok(mapStripeError(missing, 'retrieve invoice in_1') instanceof NotFoundError);
    const ours = new ConflictError('ours');
    assert.equal(mapStripeError(ours, 'x'), ours);
    const bug = new TypeError('bug');
    assert.equal(mapStripeError(bug, 'x'), bug);
  });
});
