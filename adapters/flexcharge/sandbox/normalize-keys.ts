import { z } from 'zod';

/**
 * ASP.NET Core binds JSON property names case-insensitively (contract §1): `AppKey` and `appKey`,
 * `Token` and `token`, `zipcode` and `zipCode` all land on the same property, and enum values bind
 * regardless of case (`"Authorization"` is `AUTHORIZATION`). This walks a value alongside the zod
 * schema it is about to be validated with and renames every key onto the schema's spelling, so the
 * sandbox's camelCase schemas can judge it. Numbers sent as JSON strings are read as numbers, as
 * ASP.NET Core's web defaults do (ActiveMerchant's `"timezoneUtcOffset": "-5"` was accepted). Keys the schema does not know are kept as sent (the schema
 * strips them). When two keys collide, the later one wins, as System.Text.Json does.
 */
export function normalizeKeys(schema: z.ZodType, value: unknown): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const canonical = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const name = canonical.get(key.toLowerCase()) ?? key;
      const childSchema = shape[name];
      out[name] = childSchema ? normalizeKeys(childSchema, child) : child;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item) => normalizeKeys(inner.element as z.ZodType, item));
  }
  if (inner instanceof z.ZodEnum && typeof value === 'string') {
    const options = inner.options as readonly unknown[];
    return options.find((o) => typeof o === 'string' && o.toLowerCase() === value.toLowerCase()) ?? value;
  }
  if (inner instanceof z.ZodNumber && typeof value === 'string' && JSON_NUMBER.test(value)) {
    return Number(value);
  }
  if (inner instanceof z.ZodUnion) {
    // Objects inside unions are rare in these schemas; the first object option names the keys.
    const objectOption = (inner.options as z.ZodType[]).find((o) => unwrap(o) instanceof z.ZodObject);
    return objectOption ? normalizeKeys(objectOption, value) : value;
  }
  return value;
}

/** ASP.NET Core's web defaults read numbers from JSON strings too (`"timezoneUtcOffset": "-5"`). */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDefault) {
      current = current.removeDefault() as z.ZodType;
    } else {
      return current;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
