import Stripe from 'stripe';

/** One HTTP attempt the Stripe SDK made (each of its own retries is one), as metrics see it. */
export interface StripeCallObservation {
  readonly method: string;
  /** The API path with its ids replaced, e.g. `/v1/invoices/{id}/pay`: a label of bounded cardinality. */
  readonly endpoint: string;
  /** The HTTP status; null when no response came (connection refused, reset, timed out). */
  readonly status: number | null;
  readonly seconds: number;
}

export type StripeCallObserver = (call: StripeCallObservation) => void;

/**
 * The SDK's own Node HTTP client, timed: every attempt the SDK makes, its retries included, is
 * reported with its endpoint and status. Per client, so each running plugin reports to its own
 * metrics; an observer that throws is ignored (metrics never fail a payment call).
 */
export function observedHttpClient(observe: StripeCallObserver): Stripe.HttpClient {
  const inner = Stripe.createNodeHttpClient();
  const client: Stripe.HttpClient = Object.create(inner);
  client.makeRequest = async (host, port, path, method, headers, requestData, protocol, timeout) => {
    const started = performance.now();
    const report = (status: number | null) => {
      try {
        observe({
          method,
          endpoint: endpointOf(path),
          status,
          seconds: (performance.now() - started) / 1000,
        });
      } catch {}
    };
    try {
      const response = await inner.makeRequest(
        host,
        port,
        path,
        method,
        headers,
        requestData,
        protocol,
        timeout,
      );
      report(response.getStatusCode());
      return response;
    } catch (err) {
      report(null);
      throw err;
    }
  };
  return client;
}

/** Verbs that sit where an id would (`/v1/invoices/search`), kept as they are. */
const NOT_IDS = new Set(['search', 'upcoming']);

/**
 * `/v1/invoices/in_123/pay?x=1` → `/v1/invoices/{id}/pay`: Stripe paths alternate resource and id
 * after the version (`/v1/customers/{id}/payment_methods/{id}`), so every second segment is an id.
 */
export function endpointOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  // ['', 'v1', 'invoices', 'in_123', 'pay']: ids at 3, 5, …
  return segments.map((s, i) => (i >= 3 && i % 2 === 1 && !NOT_IDS.has(s) ? '{id}' : s)).join('/');
}
