// `npm run bench`: every `bench:*` script of package.json, one after another, each at its default
// size; `bench:report` (when there is one) last, so it can read what the others printed. Exits
// non-zero when any of them failed, after running the rest. `--list` only prints what it would run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const REPORT = 'bench:report';
const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};
const names = Object.keys(scripts)
  .filter((name) => name.startsWith('bench:') && name !== REPORT)
  .sort();
if (REPORT in scripts) names.push(REPORT);

if (process.argv.includes('--list')) {
  for (const name of names) console.log(`npm run ${name}`);
  process.exit(0);
}

const failed: string[] = [];
for (const name of names) {
  console.log(`\n=== npm run ${name}`);
  const run = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
