import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlexChargeOperation } from '../../adapters/flexcharge/call-log.js';
import {
  type FlexChargeFailure,
  parseErrorBody,
  parseRetryAfter,
  toFlexChargeError,
} from '../../adapters/flexcharge/flexcharge-errors.js';
import { ProviderError } from '../../plugin/core/errors.js';

const now = new Date('2026-06-12T14:30:00Z');
const http = (status: number, body: unknown, headers: Record<string, string> = {}): FlexChargeFailure => ({
  type: 'http',
  status,
  headers: new Headers(headers),
  body,
});
const map = (failure: FlexChargeFailure, operation: FlexChargeOperation = 'evaluate') =>
  toFlexChargeError(failure, { operation, now });

describe('FlexCharge error bodies', () => {
  it('reads the documented ValidationProblemDetails shape', () => {
    const parsed = parseErrorBody({
      status: 400,
      title: 'One or more validation errors occurred.',
      traceId: '00-64a5cf4492a4f17b5751dce5120fe708-631875e92558b83a-01',
      errors: {
        OrderId: ["Merchant's orderId is required"],
        'Transaction.Id': ['The Id field is required.'],
      },
    });
    assert.deepEqual(parsed, {
      fields: {
        OrderId: ["Merchant's orderId is required"],
        'Transaction.Id': ['The Id field is required.'],
      },
      messages: [],
      traceId: '00-64a5cf4492a4f17b5751dce5120fe708-631875e92558b83a-01',
      title: 'One or more validation errors occurred.',
    });
  });

  it('reads the flat dictionary the 2024 sandbox answered with, trace id included', () => {
    const parsed = parseErrorBody({
      TraceId: ['00-bf5a1aaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01'],
      IdempotencyKey: ['The IdempotencyKey field is required.'],
      ExpiryDateUtc: ['The field ExpiryDateUtc is invalid.'],
    });
    assert.deepEqual(parsed, {
      fields: {
        IdempotencyKey: ['The IdempotencyKey field is required.'],
        ExpiryDateUtc: ['The field ExpiryDateUtc is invalid.'],
      },
      messages: [],
      traceId: '00-bf5a1aaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01',
    });
  });

  it('reads the shape with a string status and an errors map', () => {
    const parsed = parseErrorBody({
      status: '400',
      errors: { 'Transaction.ResponseCode': ['The ResponseCode field is required.'] },
    });
    assert.deepEqual(parsed.fields, { 'Transaction.ResponseCode': ['The ResponseCode field is required.'] });
    assert.equal(parsed.traceId, undefined);
  });

  it('reads envelope errors as messages not tied to a field', () => {
    const parsed = parseErrorBody({
      success: false,
      status: 'FAILED',
      errors: [
        { item1: 'Amount to refund is too large', item2: '2001', item3: '2001', item4: true },
        'plain',
      ],
    });
    assert.deepEqual(parsed.fields, {});
    assert.deepEqual(parsed.messages, ['Amount to refund is too large', 'plain']);
  });

  it('yields nothing from a body that is not JSON', () => {
    assert.deepEqual(parseErrorBody('<html>Bad Gateway</html>'), { fields: {}, messages: [] });
    assert.deepEqual(parseErrorBody(undefined), { fields: {}, messages: [] });
  });
});

describe('mapping FlexCharge failures to errors', () => {
  const cases: Array<[string, FlexChargeFailure, string, boolean, string]> = [
    ['400', http(400, { errors: { A: ['x'] } }), 'validation', false, 'FlexChargeValidationError'],
    ['401', http(401, undefined), 'auth', false, 'FlexChargeAuthError'],
    ['403', http(403, undefined), 'auth', false, 'FlexChargeAuthError'],
    ['404', http(404, undefined), 'not_found', false, 'FlexChargeNotFoundError'],
    ['405', http(405, undefined), 'rejected', false, 'FlexChargeRejectedError'],
    ['409 without a body', http(409, undefined), 'conflict', true, 'FlexChargeConflictError'],
    ['429', http(429, undefined), 'rate_limited', true, 'FlexChargeRateLimitError'],
    ['500', http(500, undefined), 'server', true, 'FlexChargeServerError'],
    ['501', http(501, undefined), 'server', false, 'FlexChargeServerError'],
    ['502', http(502, '<html>'), 'server', true, 'FlexChargeServerError'],
    ['503', http(503, undefined), 'server', true, 'FlexChargeServerError'],
    ['504', http(504, undefined), 'server', true, 'FlexChargeServerError'],
    [
      'a refused connection',
      {
        type: 'network',
        cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      },
      'network',
      true,
      'FlexChargeNetworkError',
    ],
    ['a timeout', { type: 'timeout', timeoutMs: 50 }, 'timeout', true, 'FlexChargeTimeoutError'],
    [
      'a 2xx that does not parse',
      { type: 'unexpected_response', status: 200, headers: new Headers(), reason: 'x' },
      'unexpected_response',
      false,
      'FlexChargeUnexpectedResponseError',
    ],
  ];
  for (const [what, failure, kind, retryable, name] of cases) {
    it(`maps ${what} to a ${retryable ? 'retryable' : 'final'} ${kind} error`, () => {
      const error = map(failure);
      assert.ok(error instanceof ProviderError);
      assert.equal(error.provider, 'flexcharge');
      assert.equal(error.kind, kind);
      assert.equal(error.retryable, retryable);
      assert.equal(error.name, name);
    });
  }

  it('keeps a 409 for an idempotency key reused with another payload final, whatever the call', () => {
    const body = {
      title: 'Idempotency key reused with a different request.',
      detail: 'The idempotency key k was used within the last 24 hours for a different request.',
    };
    for (const operation of ['evaluate', 'cancelOrder'] as const) {
      const error = map(http(409, body), operation);
      assert.equal(error.kind, 'conflict');
      assert.equal(error.retryable, false, operation);
    }
    assert.equal(map(http(409, { title: 'Request payload does not match' })).retryable, false);
  });

  it('retries a 409 whose body says the same key is still in progress, after any Retry-After', () => {
    const error = map(
      http(
        409,
        { title: 'A request with this idempotency key is still in progress.' },
        { 'retry-after': '3' },
      ),
      'cancelOrder',
    );
    assert.equal(error.kind, 'conflict');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 3000);
    assert.equal(map(http(409, { errors: ['Request is being processed'] }), 'cancelOrder').retryable, true);
  });

  it('retries an unexplained 409 on evaluate only, whose key is derived from its payload', () => {
    assert.equal(map(http(409, { title: 'Conflict' }), 'evaluate').retryable, true);
    assert.equal(map(http(409, { title: 'Conflict' }), 'cancelOrder').retryable, false);
    assert.equal(map(http(409, 'Conflict'), 'refundOrder').retryable, false);
  });

  it('treats a 400 from the token endpoint as refused credentials, not validation', () => {
    const error = map(http(400, { TraceId: ['t'], AppKey: ['invalid'] }), 'token');
    assert.equal(error.kind, 'auth');
    assert.equal(error.retryable, false);
  });

  it('carries fields, the status and the trace id from the body on a validation error', () => {
    const error = map(
      http(400, { title: 'bad', traceId: 'trace-1', errors: { 'Transaction.Amount': ['too big'] } }),
    );
    assert.equal(error.kind, 'validation');
    assert.deepEqual(error.fields, { 'Transaction.Amount': ['too big'] });
    assert.equal(error.statusCode, 400);
    assert.equal(error.traceId, 'trace-1');
    assert.equal(error.providerRequestId, 'trace-1');
    assert.match(error.message, /Transaction\.Amount: too big/);
  });

  it('prefers the trace id header over the body', () => {
    const error = map(http(500, { traceId: 'from-body' }, { 'x-trace-id': 'from-header' }));
    assert.equal(error.traceId, 'from-header');
  });

  it('keeps the cause of a network failure and names its code', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const error = map({ type: 'network', cause });
    assert.equal(error.cause, cause);
    assert.match(error.message, /ECONNRESET/);
  });

  it('honours Retry-After given in seconds or as an HTTP date', () => {
    assert.equal(map(http(429, undefined, { 'retry-after': '3' })).retryAfterMs, 3000);
    assert.equal(parseRetryAfter(new Date(now.getTime() + 5000).toUTCString(), now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });

  it('keeps card numbers and secrets out of messages even when the server echoes them', () => {
    const error = toFlexChargeError(
      http(400, {
        errors: { 'PaymentMethod.CardNumber': ["The value '4111111111111111' for s3cr3t-value is invalid."] },
      }),
      { operation: 'evaluate', now, secrets: ['s3cr3t-value'] },
    );
    assert.doesNotMatch(error.message, /4111111111111111|s3cr3t-value/);
    assert.match(error.message, /…1111/);
    assert.doesNotMatch(JSON.stringify(error.fields), /4111111111111111|s3cr3t-value/);
  });
});
