// What a newcomer sees after `npm ci && npm start`: the command runs in a real terminal (tmux), on a
// fresh data directory and no configuration, until the renewal day's summary is printed; the screen is
// kept as a recording under test-output/terminal/, and the pages it names are reached with the token it
// printed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECORDING_DIR = join(ROOT, 'test-output', 'terminal');
const SESSION = `npm-start-${process.pid}`;
const SUBSCRIPTIONS = 40;
const DONE = 'keeps running in real time';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

describe('npm start in a terminal, on a fresh data directory', { timeout: 300_000 }, () => {
  let dataDir: string;
  let screen = '';
  const frames: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const port = await freePort();
    // A clean environment, as on a newcomer's machine: none of the test run's configuration leaks in.
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dataDir,
      DATA_DIR: dataDir,
      PORT: String(port),
    };
    const quoted = Object.entries(env).map(([name, value]) => `${name}='${value.replaceAll("'", "'\\''")}'`);
    const command = `npm start -- --subscriptions ${SUBSCRIPTIONS}`;
    // `sleep` keeps the pane (and its last screen) after npm exits, should it exit.
    tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '110',
      '-y',
      '45',
      '-c',
      ROOT,
      `env -i ${quoted.join(' ')} ${command}; sleep 600`,
    );
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      screen = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION);
      if (frames.at(-1) !== screen) frames.push(screen);
      if (screen.includes(DONE)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    mkdirSync(RECORDING_DIR, { recursive: true });
    writeFileSync(join(RECORDING_DIR, 'npm-start.txt'), `$ ${command}\n${screen}`);
    writeFileSync(
      join(RECORDING_DIR, 'npm-start-frames.txt'),
      frames.map((frame, i) => `--- frame ${i + 1} ---\n${frame}`).join('\n'),
    );
  });

  after(() => {
    try {
      tmux('kill-session', '-t', SESSION);
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plays the renewal day to its summary, readable (no JSON log lines on the terminal)', () => {
    assert.ok(screen.includes(DONE), `the day did not complete within 4 minutes; the screen:\n${screen}`);
    assert.match(screen, new RegExp(`renewals +${SUBSCRIPTIONS}\\b`));
    for (const line of [
      'handed over to FlexCharge',
      'recovered',
      'expired after three weeks',
      'not handed over',
    ])
      assert.ok(screen.includes(line), `the summary names "${line}"`);
    assert.ok(!/^\s*\{"level"/m.test(screen), 'logs go to the file, not the terminal');
    assert.ok(frames.length > 1, 'the screen moved while the day played');
  });

  it('leaves the pages it names reachable, with the admin token it printed', async () => {
    const report = screen.match(/Report:\s+(http:\/\/\S+)/)?.[1];
    const login = screen.match(/Onboarding:\s+(http:\/\/\S+\/login)/)?.[1];
    const token = screen.match(/Admin token:\s+(\S+)/)?.[1];
    assert.ok(
      report && login && token,
      `the screen names the report, the login page and a token:\n${screen}`,
    );
    const origin = new URL(login).origin;

    assert.equal((await fetch(`${origin}/healthz`)).status, 200);
    assert.equal((await fetch(login)).status, 200);
    const signIn = await fetch(login, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: token }),
    });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
    assert.ok(cookie, 'signing in opens a session');
    const page = await fetch(report, { headers: { cookie } });
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.ok(body.includes('<svg'), 'the report page draws its charts');
    const merchants = await fetch(`${origin}/merchants/default`, { headers: { cookie } });
    assert.equal(merchants.status, 200);
  });
});
