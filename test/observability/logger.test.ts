import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFields } from '../../plugin/core/logger.js';
import { createLogger } from '../../plugin/observability/logger.js';

function collect() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('the plugin logger (pino)', () => {
  it('writes one JSON object per line with level, time, message and fields; a child adds its fields', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ destination });
    logger.info('plugin listening', { url: 'http://127.0.0.1:8080' });
    withFields(logger, { merchantId: 'acme', rescueId: 'r-1' }).warn('rescue step failed', { state: 'held' });
    const [first, second] = lines.map((l) => JSON.parse(l));
    assert.equal(first.level, 'info');
    assert.equal(first.message, 'plugin listening');
    assert.equal(first.url, 'http://127.0.0.1:8080');
    assert.match(first.time, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      [second.level, second.merchantId, second.rescueId, second.state],
      ['warn', 'acme', 'r-1', 'held'],
    );
  });

  it('censors secret fields by name, at the top level and one down', () => {
    const { lines, destination } = collect();
    createLogger({ destination }).error('credentials refused', {
      apiKey: 'sk_test_abcdef123456',
      engine: { webhookSecret: 'whsec_abcdef123456', id: 'stripe' },
      headers: { authorization: 'Bearer abcdefgh12345678' },
    });
    assert.doesNotMatch(lines[0]!, /sk_test_|whsec_|Bearer/);
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.apiKey, '[redacted]');
    assert.equal(entry.engine.id, 'stripe');
  });

  it('honours the level, and writes readable lines in the text format', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ destination, level: 'warn', format: 'text' });
    logger.info('not written');
    logger.warn('rescue step failed', { rescueId: 'r-1', attempts: 3 });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\S+Z WARN rescue step failed rescueId=r-1 attempts=3\n$/);
  });

  it('gives a plain logger the same fields through withFields', () => {
    const seen: unknown[] = [];
    const plain = { info: (m: string, f?: object) => seen.push({ m, ...f }), warn() {}, error() {} };
    withFields(withFields(plain, { merchantId: 'acme' }), { rescueId: 'r-1' }).info('moved', { to: 'held' });
    assert.deepEqual(seen, [{ m: 'moved', merchantId: 'acme', rescueId: 'r-1', to: 'held' }]);
  });
});
