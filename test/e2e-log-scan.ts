// Run by test/run-tests.mjs after the end-to-end files of each profile (it is no `.test.ts`, so it
// never runs before they have written their lines): scans every line the plugin logged in them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { DEMO_CREDENTIAL } from '../adapters/flexcharge/sandbox/index.js';
import { ADMIN_TOKEN } from './e2e/plugin-harness.js';
import { secretsReport } from './support/log-secrets.js';

const dir = process.env.LOG_CAPTURE_DIR;
const minFiles = Number(process.env.LOG_CAPTURE_MIN_FILES ?? 1);

it('every line the end-to-end suite logged is structured and free of card numbers, tokens and secrets', () => {
  assert.ok(dir, 'LOG_CAPTURE_DIR names the directory the suite logged into');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
  // One file per test process that started the plugin: fewer than the end-to-end files means some
  // logged elsewhere, and their lines would escape the scan.
  assert.ok(files.length >= minFiles, `${files.length} log files for ${minFiles} end-to-end files`);
  const lines = files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line, i) => ({ where: `${f}:${i + 1}`, line })),
  );
  assert.ok(lines.length >= minFiles, 'the suite logged');

  const entries = lines.map(({ where, line }) => ({ where, entry: parseEntry(where, line) }));
  for (const { where, entry } of entries) {
    assert.equal(typeof entry.message, 'string', `${where} has a message`);
    assert.equal(typeof entry.level, 'string', `${where} has a level`);
  }
  const rescueLines = entries.filter(({ entry }) => 'rescueId' in entry);
  assert.ok(rescueLines.length > 0, 'the suite logged rescue work');
  for (const { where, entry } of rescueLines)
    for (const field of ['merchantId', 'invoiceId', 'orderId'])
      assert.ok(field in entry, `${where}: a line of a rescue's work without ${field}`);

  const known = [
    ADMIN_TOKEN,
    DEMO_CREDENTIAL.appKey,
    DEMO_CREDENTIAL.appSecret,
    DEMO_CREDENTIAL.tokenizationKey,
  ];
  const report = secretsReport(
    lines.map((l) => l.line),
    known,
  );
  // The report names lines by their place in the concatenation; map them back to files.
  const located = report?.replace(/^line (\d+)/gm, (_, n: string) => lines[Number(n) - 1]!.where);
  assert.equal(located ?? null, null, `log lines with secrets:\n${located}`);
});

function parseEntry(where: string, line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${where} is not one JSON object`);
  }
}
