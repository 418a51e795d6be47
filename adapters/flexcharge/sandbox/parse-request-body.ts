import type { Request, Response } from 'express';
import type { z } from 'zod';
import { checkRequirements, type Requirement } from './contract/required-fields.js';
import { normalizeKeys } from './normalize-keys.js';
import { sendProblem, sendValidationProblem } from './problem-details.js';
import type { SandboxErrorShape } from './sandbox-options.js';
import { addZodIssues, FieldErrors } from './validation-errors.js';

/**
 * The model-binding step every API route goes through, in the real API's order: media type, JSON
 * syntax, case-insensitive property names, the sandbox's own schema (contract/request-bodies.ts),
 * then the requirements that depend on the request and the switches (contract/required-fields.ts).
 * On failure it has already answered (415 or 400) and returns undefined.
 */
export interface ParseOptions {
  errorShape: SandboxErrorShape;
  /** A missing or empty body is `{}` (cancel takes an optional body). */
  optional?: boolean;
  /** Fields this request must also carry, given its (key-normalized) body. */
  requirements?: (body: unknown) => readonly Requirement[];
}

export interface ParsedBody<T> {
  value: T;
  /** The body after key normalization, before the schema stripped unknown keys. */
  raw: Record<string, unknown>;
}

export function parseRequestBody<S extends z.ZodType>(
  req: Request,
  res: Response,
  schema: S,
  options: ParseOptions,
): ParsedBody<z.infer<S>> | undefined {
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const errors = new FieldErrors();
  let json: unknown = {};
  if (text.trim() === '') {
    if (!options.optional) {
      errors.add([''], 'A non-empty request body is required.');
      sendValidationProblem(res, errors, options.errorShape);
      return undefined;
    }
  } else {
    if (!isJsonMediaType(req.get('content-type'))) {
      sendProblem(res, 415, 'Unsupported Media Type', 'Send the body as application/json.');
      return undefined;
    }
    try {
      json = JSON.parse(text);
    } catch (error) {
      errors.add(['$'], `${(error as Error).message}. Path: $`);
      sendValidationProblem(res, errors, options.errorShape);
      return undefined;
    }
  }
  const raw = normalizeKeys(schema, json);
  const result = schema.safeParse(raw);
  if (!result.success) addZodIssues(errors, result.error.issues, raw);
  if (options.requirements) checkRequirements(errors, raw, options.requirements(raw));
  if (!result.success || !errors.isEmpty) {
    if (errors.isEmpty) errors.add(['$'], 'The request body is invalid.');
    sendValidationProblem(res, errors, options.errorShape);
    return undefined;
  }
  return { value: result.data, raw: raw as Record<string, unknown> };
}

/** `application/json` and the `application/*+json` the docs' curl examples send (contract §1). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.*-]*\+json$/.test(type) || type === 'text/json';
}
