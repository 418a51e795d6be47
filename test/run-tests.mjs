// Runs every test/**/*.test.ts file with node's test runner (Node 20's `--test` takes no globs). The
// end-to-end files (test/e2e/) run once per behaviour profile in E2E_PROFILES (comma-separated,
// default all three: `default,alternate,final-action`; see test/e2e/plugin-harness.ts), the other files once, with the first profile.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Filters match paths under test/, given with or without the leading `test/`.
const filter = process.argv.slice(2).map((part) => part.replace(/^(\.\/)?test\//, ''));
const files = readdirSync('test', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .map((f) => join('test', f))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filter.join(' ')}`);
  process.exit(1);
}

const profiles = (process.env.E2E_PROFILES || 'default,alternate,final-action')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const e2e = files.filter((f) => f.startsWith(join('test', 'e2e')));
const runs = profiles.map((profile, i) => ({ profile, files: i === 0 ? files : e2e }));

let failed = false;
for (const run of runs) {
  if (run.files.length === 0) continue;
  const e2eCount = run.files.filter((f) => e2e.includes(f)).length;
  console.log(`\n=== E2E_PROFILE=${run.profile}: ${run.files.length} files (${e2eCount} end-to-end) ===\n`);
  // The plugin's log lines of this run, one file per test process, scanned after the e2e files.
  const logDir = resolve('test-output', 'logs', run.profile);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const env = { ...process.env, E2E_PROFILE: run.profile, LOG_CAPTURE_DIR: logDir };
  const { status } = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...run.files],
    { stdio: 'inherit', env },
  );
  const scan =
    e2eCount === 0
      ? { status: 0 }
      : spawnSync(
          process.execPath,
          ['--import', 'tsx', '--test', '--test-reporter=spec', join('test', 'e2e-log-scan.ts')],
          { stdio: 'inherit', env: { ...env, LOG_CAPTURE_MIN_FILES: String(e2eCount) } },
        );
  if (status !== 0 || scan.status !== 0) {
    failed = true;
    console.log(`\n=== E2E_PROFILE=${run.profile}: FAILED ===`);
  }
}
process.exit(failed ? 1 : 0);
