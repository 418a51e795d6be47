/**
 * A `fetch` that answers token calls itself and every other call from a queue, recording each
 * request: for client behaviour that needs exact control of the responses.
 */

export interface SeenRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: unknown;
}

export type Answer = Response | (() => Response) | Error;

export function scriptedFetch(answers: Answer[]) {
  const seen: SeenRequest[] = [];
  let tokens = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    seen.push({ url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    if (url.pathname.endsWith('/oauth2/token')) {
      tokens += 1;
      return Response.json({ accessToken: `access-${tokens}`, expires: Date.parse('2026-06-12T15:00:00Z') });
    }
    const next = answers.shift();
    if (next === undefined) throw new Error(`unscripted request ${url.pathname}`);
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next() : next;
  };
  return { fetchImpl, seen, apiCalls: () => seen.filter((r) => !r.url.pathname.endsWith('/oauth2/token')) };
}
