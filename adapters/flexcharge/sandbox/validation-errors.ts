import type { z } from 'zod';

/**
 * Zod issues turned into ASP.NET model-state errors (contract §10): keys are PascalCase dotted paths
 * (`Transaction.Id`, `OrderItems[0].Amount`), messages are the framework's ("The Id field is
 * required.", "The field ExpiryDateUtc is invalid.").
 */

export type PathSegment = string | number;

/** Messages that differ from the framework's default "required" text (contract §6.1). */
const REQUIRED_MESSAGES: Record<string, string> = { OrderId: "Merchant's orderId is required" };

export class FieldErrors {
  readonly #errors = new Map<string, string[]>();

  add(path: readonly PathSegment[], message: string): void {
    const key = fieldKey(path);
    const messages = this.#errors.get(key) ?? [];
    if (!messages.includes(message)) messages.push(message);
    this.#errors.set(key, messages);
  }

  required(path: readonly PathSegment[]): void {
    this.add(path, REQUIRED_MESSAGES[fieldKey(path)] ?? `The ${fieldName(path)} field is required.`);
  }

  invalid(path: readonly PathSegment[], why?: string): void {
    this.add(path, why ? `The field ${fieldName(path)} ${why}.` : `The field ${fieldName(path)} is invalid.`);
  }

  has(path: readonly PathSegment[]): boolean {
    return this.#errors.has(fieldKey(path));
  }

  get isEmpty(): boolean {
    return this.#errors.size === 0;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.#errors);
  }
}

/** `['orderItems', 0, 'amount']` → `OrderItems[0].Amount`; snake_case segments become PascalCase too. */
export function fieldKey(path: readonly PathSegment[]): string {
  let key = '';
  for (const segment of path) {
    if (typeof segment === 'number') key += `[${segment}]`;
    else key += (key ? '.' : '') + pascal(segment);
  }
  return key;
}

/** The property name ASP.NET puts in a message: the last named segment. */
export function fieldName(path: readonly PathSegment[]): string {
  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  return last ? pascal(last) : 'request';
}

function pascal(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Adds one model-state error per zod issue; `input` is consulted to tell "missing" from "invalid". A
 * field reported missing gets no second, "invalid" message.
 */
export function addZodIssues(errors: FieldErrors, issues: readonly z.core.$ZodIssue[], input: unknown): void {
  const located = issues.map((issue) => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const value = valueAt(input, path);
    const missing = value === undefined || value === null || isBlankMarker(issue);
    return { issue, path, value, missing };
  });
  for (const { path, missing } of located) if (missing) errors.required(path);
  for (const { issue, path, value, missing } of located) {
    if (missing || errors.has(path)) continue;
    switch (issue.code) {
      case 'too_small':
        if (issue.origin === 'string' && value === '') errors.required(path);
        else
          errors.invalid(path, `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`);
        break;
      case 'too_big':
        errors.invalid(path, `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`);
        break;
      case 'not_multiple_of':
        errors.invalid(path, `must be a multiple of ${issue.divisor}`);
        break;
      case 'invalid_value':
        errors.invalid(path, `must be one of ${issue.values.map(String).join(', ')}`);
        break;
      case 'invalid_format':
        // A message the schema wrote itself ("must be MM") says more than the generic text.
        if (issue.format === 'regex' && !issue.message.startsWith('Invalid'))
          errors.invalid(path, issue.message);
        else errors.invalid(path);
        break;
      default:
        errors.invalid(path);
    }
  }
}

/** The `blank` marker of `requiredText` (contract/field-formats.ts). */
function isBlankMarker(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { blank?: boolean } | undefined)?.blank === true;
}

export function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}
