import { ProviderError } from '../../../plugin/core/errors.js';

/**
 * What the fakes share: a journal of every call (one journal may serve both fakes, so a test can
 * check the order across ports), failures to inject per method, and hooks that run inside a call.
 */

/** The names of `P`'s methods. */
export type MethodOf<P> = {
  [K in keyof P]-?: P[K] extends (...args: never[]) => unknown ? K : never;
}[keyof P] &
  string;

export type ArgsOf<P, K extends keyof P> = P[K] extends (...args: infer A) => unknown ? A : never;

export interface JournalEntry {
  /** Which fake took the call: `engine` or `provider`. */
  readonly port: string;
  readonly method: string;
  /** A copy of the arguments as they were at the call, so later mutation cannot rewrite history. */
  readonly args: readonly unknown[];
}

/** Every call to the fakes that share it, in the order they were made. */
export class CallJournal {
  readonly entries: JournalEntry[] = [];

  /** `port.method` of each call, in order, e.g. `['engine.holdRetries', 'provider.submitRenewal']`. */
  names(): string[] {
    return this.entries.map((e) => `${e.port}.${e.method}`);
  }
}

export interface FailureSpec {
  /** How many calls in a row fail. Default 1. */
  readonly times?: number;
  /** Default true (network, timeout, 429, 5xx); false for a refusal that needs a fix first. */
  readonly retryable?: boolean;
  /** The call takes effect, then its answer is lost: the case a retry has to survive. Default false. */
  readonly afterEffect?: boolean;
  /** Throw this instead of the `ProviderError` the other fields describe. */
  readonly error?: Error;
}

/** Runs inside a call, before its effect: a webhook or a person acting while the step waits. */
export type CallHook<A extends readonly unknown[]> = (...args: A) => void | Promise<void>;

interface Armed<T> {
  remaining: number;
  readonly value: T;
}

export class CallScript<P> {
  readonly #failures = new Map<string, Armed<FailureSpec>[]>();
  readonly #hooks = new Map<string, Armed<(args: readonly unknown[]) => void | Promise<void>>[]>();

  constructor(
    private readonly port: string,
    /** The `provider` of injected `ProviderError`s, as the real adapter names itself. */
    private readonly providerName: string,
    readonly journal: CallJournal,
  ) {}

  /** Journals the call, runs its hooks, then its effect, failing where a failure was armed. */
  async run<K extends MethodOf<P>, T>(method: K, args: ArgsOf<P, K>, effect: () => T): Promise<Awaited<T>> {
    this.record(method, args);
    for (const hook of take(this.#hooks, method, Number.POSITIVE_INFINITY)) await hook(args);
    const [failure] = take(this.#failures, method, 1);
    if (failure && !failure.afterEffect) throw this.#errorFor(method, failure);
    const result = await effect();
    if (failure) throw this.#errorFor(method, failure);
    return result;
  }

  /** Journals a synchronous call (webhook verification), which takes no failures or hooks. */
  record<K extends MethodOf<P>>(method: K, args: ArgsOf<P, K>): void {
    this.journal.entries.push({ port: this.port, method, args: structuredClone(args) });
  }

  /** The next `times` calls of `method` fail. Armed failures queue up in order. */
  fail(method: MethodOf<P>, spec: FailureSpec = {}): void {
    arm(this.#failures, method, spec, spec.times ?? 1);
  }

  /** Runs `hook` inside the next `times` calls of `method` (default 1), before the call takes effect. */
  during<K extends MethodOf<P>>(method: K, hook: CallHook<ArgsOf<P, K>>, times = 1): void {
    arm(this.#hooks, method, (args) => hook(...(args as ArgsOf<P, K>)), times);
  }

  /** The arguments of every call of `method`, oldest first. */
  callsTo<K extends MethodOf<P>>(method: K): ArgsOf<P, K>[] {
    return this.journal.entries
      .filter((e) => e.port === this.port && e.method === method)
      .map((e) => e.args as ArgsOf<P, K>);
  }

  #errorFor(method: string, spec: FailureSpec): Error {
    if (spec.error) return spec.error;
    const retryable = spec.retryable ?? true;
    return new ProviderError(
      this.providerName,
      `injected ${retryable ? 'transient' : 'final'} failure of ${method}`,
      {
        retryable,
        statusCode: retryable ? 503 : 400,
      },
    );
  }
}

function arm<T>(map: Map<string, Armed<T>[]>, method: string, value: T, times: number): void {
  if (!(times > 0)) throw new RangeError('times must be positive');
  map.set(method, [...(map.get(method) ?? []), { remaining: times, value }]);
}

/** Up to `limit` armed values for one call, each used once; spent ones are dropped. */
function take<T>(map: Map<string, Armed<T>[]>, method: string, limit: number): T[] {
  const armed = (map.get(method) ?? []).slice(0, limit);
  for (const a of armed) a.remaining--;
  map.set(
    method,
    (map.get(method) ?? []).filter((a) => a.remaining > 0),
  );
  return armed.map((a) => a.value);
}
