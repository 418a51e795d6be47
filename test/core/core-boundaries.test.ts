import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const CORE = 'plugin/core';
const FORBIDDEN = [
  /^stripe$/,
  /^express$/,
  /^pg$/,
  /^kysely$/,
  /^@electric-sql\//,
  /\/adapters\//,
  /\/storage\//,
  /\/http\//,
];

describe('the core', () => {
  it('imports no vendor SDK, web framework, SQL driver, adapter or storage code', () => {
    const files = readdirSync(CORE, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 10);
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(CORE, file), 'utf8');
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        if (FORBIDDEN.some((pattern) => pattern.test(specifier!)))
          offenders.push(`${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
