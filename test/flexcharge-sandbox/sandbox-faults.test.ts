import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessToken, evaluate, managedMit, newSandbox } from './sandbox-test-kit.js';

describe('sandbox fault injection', () => {
  it('answers the injected status the given number of times, then handles requests normally', async () => {
    const { api, clock, sandbox } = newSandbox();
    const token = await accessToken(api);
    sandbox.injectFault({ path: '/v1/evaluate', status: 503, times: 2 });
    const body = managedMit(clock.now());
    const first = await evaluate(api, token, body).expect(503);
    assert.equal(first.body.status, 503);
    assert.match(first.body.traceId, /^00-/);
    await evaluate(api, token, body).expect(503);
    assert.equal(sandbox.orders.size, 0, 'a faulted request changes nothing');
    await evaluate(api, token, body).expect(200);
    assert.equal(sandbox.orders.size, 1);
    assert.equal(sandbox.requests.filter((r) => r.path === '/v1/evaluate').length, 3);
  });

  it('sends an injected body and headers, and reaches the token endpoint too', async () => {
    const { api, sandbox } = newSandbox();
    sandbox.injectFault({
      path: '/v1/oauth2/token',
      status: 429,
      body: { message: 'slow down' },
      headers: { 'retry-after': '2' },
    });
    const response = await api.post('/v1/oauth2/token').send({}).expect(429);
    assert.deepEqual(response.body, { message: 'slow down' });
    assert.equal(response.headers['retry-after'], '2');
  });

  it('matches a path prefix ending in *', async () => {
    const { api, sandbox } = newSandbox();
    const token = await accessToken(api);
    sandbox.injectFault({ path: '/v1/orders/*', status: 500, times: 1 });
    await api.get('/v1/orders/abc').auth(token, { type: 'bearer' }).expect(500);
    await api.get('/v1/orders/abc').auth(token, { type: 'bearer' }).expect(404);
  });

  it('drops the connection without an answer over real HTTP', async () => {
    const { sandbox } = newSandbox();
    const server = await sandbox.listen(0);
    try {
      sandbox.injectFault({ path: '/v1/outcome', dropConnection: true });
      await assert.rejects(fetch(`${server.baseUrl}outcome`, { method: 'POST', body: '{}' }), TypeError);
      const answered = await fetch(`${server.baseUrl}outcome`, { method: 'POST', body: '{}' });
      assert.equal(answered.status, 401);
    } finally {
      await sandbox.close();
    }
  });

  it('delays a request and then handles it normally', async () => {
    const { api, sandbox } = newSandbox();
    sandbox.injectFault({ path: '/v1/outcome', delayMs: 150 });
    const started = Date.now();
    await api.post('/v1/outcome').send({}).expect(401);
    assert.ok(Date.now() - started >= 140);
  });

  it('takes faults through POST /_sandbox/faults', async () => {
    const { api } = newSandbox();
    await api.post('/_sandbox/faults').send({ path: '/v1/outcome', status: 502 }).expect(201);
    await api.post('/v1/outcome').send({}).expect(502);
    await api.post('/_sandbox/faults').send({ path: 'v1/outcome', status: 99 }).expect(400);
  });

  it('answers every API request latencyMs late, the controls at once', async () => {
    const { api } = newSandbox({ latencyMs: 120 });
    const started = performance.now();
    await accessToken(api);
    assert.ok(performance.now() - started >= 115, 'the API answer waited');
    const control = performance.now();
    await api.get('/_sandbox/orders').expect(200);
    assert.ok(performance.now() - control < 115, 'the control route did not');
  });
});
