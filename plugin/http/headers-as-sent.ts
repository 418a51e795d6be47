import type { IncomingMessage } from 'node:http';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The request's headers with a repeated header kept as an array of its values. Node joins most
 * repeats into one comma-separated string (`req.headers`), which would hide a second signature
 * header from a verifier that means to refuse it; `headersDistinct` keeps them apart.
 */
export function headersAsSent(req: IncomingMessage): WebhookHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    out[name] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}
