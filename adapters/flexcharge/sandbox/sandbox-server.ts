import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

/** A running HTTP listener of the sandbox. */
export interface SandboxListener {
  /** The API base, e.g. `http://127.0.0.1:PORT/v1/`, as FLEXCHARGE_BASE_URL takes it. */
  readonly baseUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/** How often, in real time, a listening sandbox runs its due work (decisions, expiry, webhooks). */
export const RUN_DUE_INTERVAL_MS = 500;

export async function listenSandbox(
  app: express.Express,
  options: { port: number; host: string; runDue: () => Promise<void>; log: (line: string) => void },
): Promise<SandboxListener> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    options
      .runDue()
      .catch((error: unknown) =>
        options.log(`runDue failed: ${error instanceof Error ? error.message : error}`),
      )
      .finally(() => {
        running = false;
      });
  }, RUN_DUE_INTERVAL_MS);
  timer.unref();
  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://${urlHost(options.host)}:${port}/v1/`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** A wildcard bind address is reached through loopback; IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
