import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FlexChargeCallRecord } from '../../adapters/flexcharge/call-log.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createFlexChargeCallLog } from '../../plugin/storage/flexcharge-call-log.js';
import { createTestDatabase } from '../support/test-database.js';

const record: FlexChargeCallRecord = {
  startedAt: new Date('2026-06-12T14:30:00.123Z'),
  environment: 'local',
  merchantId: 'merchant-acme',
  flow: 'cit_call_center',
  siteId: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
  operation: 'evaluate',
  method: 'POST',
  path: '/v1/evaluate',
  attempt: 2,
  outcome: 'http_error',
  statusCode: 503,
  errorClass: 'FlexChargeServerError',
  retryable: true,
  durationMs: 12.6,
  idempotencyKey: 'idem-1',
  traceId: '00-abc-def-01',
  requestBody: { orderId: 'INV-1', paymentMethod: { cardNumber: '…3184', token: true } },
  responseBody: 'Service Unavailable',
};

describe('FlexCharge call log in PostgreSQL', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('stores every field of an attempt in flexcharge_mit.flexcharge_calls', async () => {
    await createFlexChargeCallLog(handle.db).record(record);
    const row = await handle.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .selectAll()
      .where('idempotency_key', '=', 'idem-1')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...row, id: undefined },
      {
        id: undefined,
        started_at: new Date('2026-06-12T14:30:00.123Z'),
        environment: 'local',
        operation: 'evaluate',
        method: 'POST',
        path: '/v1/evaluate',
        attempt: 2,
        outcome: 'http_error',
        status_code: 503,
        error_class: 'FlexChargeServerError',
        retryable: true,
        duration_ms: 13,
        idempotency_key: 'idem-1',
        trace_id: '00-abc-def-01',
        request_body: { orderId: 'INV-1', paymentMethod: { cardNumber: '…3184', token: true } },
        response_body: { text: 'Service Unavailable' },
        merchant_id: 'merchant-acme',
        flow: 'cit_call_center',
        site_id: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
      },
    );
  });

  it('stores a successful attempt without error details or bodies as nulls', async () => {
    await createFlexChargeCallLog(handle.db).record({
      ...record,
      outcome: 'ok',
      operation: 'getOrder',
      method: 'GET',
      statusCode: 200,
      errorClass: null,
      retryable: null,
      idempotencyKey: null,
      traceId: null,
      requestBody: null,
      responseBody: null,
    });
    const row = await handle.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select(['error_class', 'retryable', 'request_body', 'response_body'])
      .where('operation', '=', 'getOrder')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { error_class: null, retryable: null, request_body: null, response_body: null });
  });

  it('drops NUL characters, which jsonb cannot hold', async () => {
    await createFlexChargeCallLog(handle.db).record({
      ...record,
      idempotencyKey: 'nul',
      responseBody: { m: 'a\u0000b' },
    });
    const row = await handle.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select('response_body')
      .where('idempotency_key', '=', 'nul')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.response_body, { m: 'ab' });
  });
});
