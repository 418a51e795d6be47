import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDemo } from '../../plugin/cli/demo.js';

describe('flexcharge-mit demo', () => {
  it('tells a declined renewal rescued and written back, step by step', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line));
    const text = lines.join('\n');
    assert.match(text, /3\. .*declines it \(insufficient_funds\): in_\w+ open, attempt 1\./);
    assert.match(text, /4\. .*holds Stripe's own retries.*auto_advance=false\./);
    assert.match(text, /5\. .*: SUBMITTED, order [0-9a-f-]{36}/);
    assert.match(text, /7\. The invoice is marked paid out of band: in_\w+ paid, subscription active/);
    assert.match(text, /received → evaluating → held → approved → recovered/);
  });
});
