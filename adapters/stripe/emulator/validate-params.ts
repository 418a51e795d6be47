import type { z } from 'zod';
import { invalidRequest, type StripeApiError } from './errors.js';
import type { FormObject } from './form-params.js';

/**
 * Runs a route's strict zod schema over decoded parameters and, on failure, answers the way Stripe
 * does: one error for the first problem, unknown parameters before missing ones, the parameter
 * named in bracket form (`items[0][price]`).
 */
export function validateParams<S extends z.ZodType>(schema: S, params: FormObject): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw toStripeError(result.error.issues, params);
}

type Issue = z.core.$ZodIssue;

function toStripeError(issues: readonly Issue[], params: FormObject): StripeApiError {
  const unknown = issues
    .filter((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys')
    .flatMap((i) => i.keys.map((key) => [...i.path, key]))
    .sort((a, b) => a.length - b.length)[0];
  if (unknown) {
    const param = bracketPath(unknown);
    return invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
  }
  const missing = issues.find((i) => i.code === 'invalid_type' && valueAt(params, i.path) === undefined);
  if (missing) {
    const param = bracketPath(missing.path);
    return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
  }
  const issue = issues[0];
  if (!issue) return invalidRequest('Invalid request.');
  const param = bracketPath(issue.path);
  const value = valueAt(params, issue.path);
  if (issue.code === 'custom') {
    const code = typeof issue.params?.stripeCode === 'string' ? issue.params.stripeCode : undefined;
    return invalidRequest(issue.message, code ? { code, param } : { param });
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map(String).join(', ');
    return invalidRequest(`Invalid ${param}: must be one of ${allowed}`, { param });
  }
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'array' || issue.expected === 'object') {
      return invalidRequest(`Invalid ${issue.expected}`, { param });
    }
    return invalidRequest(`Invalid ${param}: ${describe(value)}`, { param });
  }
  if (issue.code === 'too_small' && value === '') {
    return invalidRequest(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      { code: 'parameter_invalid_empty', param },
    );
  }
  return invalidRequest(`Invalid ${param}: ${issue.message}`, { param });
}

/** ['items', 0, 'price'] → `items[0][price]`. */
export function bracketPath(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((p) => `[${p}]`).join('')}`;
}

function valueAt(params: FormObject, path: readonly PropertyKey[]): unknown {
  let node: unknown = params;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(key)];
  }
  return node;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
