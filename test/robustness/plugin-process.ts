import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real plugin, `flexcharge-mit start`, as a process of its own, so a test can see it survive or die. */
export interface PluginProcess {
  readonly url: string;
  /** The in-process FlexCharge sandbox's base URL (its `/_sandbox` controls move the shared clock). */
  readonly sandboxUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, one log line per entry. */
  readonly output: string[];
  /** Null while the process runs. */
  exitCode(): number | null;
  /** SIGTERM, then the exit code of the graceful shutdown. */
  stop(): Promise<number | null>;
}

export async function startPluginProcess(env: Record<string, string>): Promise<PluginProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fcm-plugin-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'plugin/cli/main.ts', 'start'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exited: number | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : null);
      resolve(exited);
    }),
  );

  const listening = new Promise<{ url: string; sandboxUrl: string }>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      if (!line.includes('"plugin listening"')) return;
      const entry = JSON.parse(line) as { url: string; flexchargeSandbox: string };
      resolve({ url: entry.url, sandboxUrl: entry.flexchargeSandbox });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
    void exit.then((code) => reject(new Error(`plugin exited with ${code}:\n${output.join('\n')}`)));
  });
  const { url, sandboxUrl } = await listening;

  return {
    url,
    sandboxUrl,
    child,
    output,
    exitCode: () => exited,
    async stop() {
      if (exited === null) child.kill('SIGTERM');
      const code = await exit;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
