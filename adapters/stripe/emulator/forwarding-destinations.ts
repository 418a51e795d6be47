/**
 * The destinations Vault and Forward may send card details to. On Stripe, forwarding is enabled on
 * request and each destination URL is configured by Stripe at onboarding ("Must be supported by the
 * config"); anything else is refused. The emulator keeps that allowlist in memory: given at start
 * (`STRIPE_EMULATOR_FORWARDING_DESTINATIONS`), added at run time (`allow`, or
 * `POST /_emulator/forwarding/destinations`), or switched off with `'any'` to forward anywhere.
 *
 * Assumption (the reference states none): a destination matches on scheme, host, port and path; the
 * query string may vary, so FlexCharge's documented `/tokenize?mid=&environment=` form stays usable.
 */
export class ForwardingDestinations {
  readonly #allowed = new Set<string>();
  #any: boolean;

  constructor(initial: readonly string[] | 'any' = []) {
    this.#any = initial === 'any';
    if (initial !== 'any') for (const url of initial) this.allow(url);
  }

  /** Adds a destination; throws on a string that is not an http(s) URL. */
  allow(url: string): void {
    const key = destinationKey(url);
    if (key === null) throw new Error(`not an http(s) URL: ${url}`);
    this.#allowed.add(key);
  }

  allows(url: string): boolean {
    const key = destinationKey(url);
    return key !== null && (this.#any || this.#allowed.has(key));
  }

  /** What `/_emulator/state` shows. */
  describe(): { any: boolean; destinations: string[] } {
    return { any: this.#any, destinations: [...this.#allowed] };
  }
}

function destinationKey(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
