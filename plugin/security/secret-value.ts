import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A decrypted secret on its way to the one call that needs it. It prints, stringifies and
 * JSON-serialises as `[redacted]`, so a secret passed to a logger or an error by mistake does not leak;
 * only `reveal()` gives the value, which makes every use visible in review.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
