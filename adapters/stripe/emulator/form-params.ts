/**
 * Decodes Stripe's wire format for parameters: `application/x-www-form-urlencoded` bodies on POST and
 * query strings on GET/DELETE, with bracket nesting (`items[0][price]=p`, `metadata[plan]=pro`,
 * `expand[]=payments`). Values stay strings; the route's zod schema decides what they mean.
 *
 * Objects are created without a prototype so a key such as `__proto__` is just an unknown parameter.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export function decodeFormParams(encoded: string): FormObject {
  const root = emptyObject();
  if (encoded.length === 0) return root;
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const path = splitKey(rawKey);
    if (path.length === 0) continue;
    assign(root, path, value);
  }
  return compactArrays(root) as FormObject;
}

/** The query string of a request URL (everything after `?`), or '' when there is none. */
export function queryStringOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/** `a[b][0][c]` → ['a', 'b', '0', 'c']; `expand[]` → ['expand', '']. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return key.length > 0 ? [key] : [];
  const segments = [key.slice(0, open)];
  const rest = key.slice(open);
  const matcher = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (let m = matcher.exec(rest); m !== null; m = matcher.exec(rest)) {
    if (m.index !== consumed) break;
    segments.push(m[1] ?? '');
    consumed = matcher.lastIndex;
  }
  // Trailing junk after the last bracket (e.g. `a[b]c`) is kept as part of the last segment, as Rack does.
  if (consumed < rest.length) segments[segments.length - 1] += rest.slice(consumed);
  return segments;
}

type Container = FormObject | FormValue[];

function assign(root: FormObject, path: string[], value: string): void {
  let node: Container = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string;
    const last = i === path.length - 1;
    const nextIsIndex = !last && isIndex(path[i + 1] as string);
    const key: string | number = Array.isArray(node)
      ? segment === ''
        ? node.length
        : Number(segment)
      : segment;
    const container = node as Record<string | number, FormValue>;
    if (last) {
      container[key] = value;
      return;
    }
    const child = childFor(container[key], nextIsIndex);
    container[key] = child;
    node = child;
  }
}

function childFor(existing: FormValue | undefined, wantArray: boolean): Container {
  if (existing !== undefined && typeof existing !== 'string') {
    if (Array.isArray(existing) && !wantArray) return arrayToObject(existing);
    return existing;
  }
  return wantArray ? [] : emptyObject();
}

function isIndex(segment: string): boolean {
  return segment === '' || /^\d{1,4}$/.test(segment);
}

function arrayToObject(array: FormValue[]): FormObject {
  const object = emptyObject();
  array.forEach((v, i) => {
    object[String(i)] = v;
  });
  return object;
}

/** `items[1]` without `items[0]` leaves a hole; Stripe treats indexes as ordering only. */
function compactArrays(value: FormValue): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  for (const key of Object.keys(value)) value[key] = compactArrays(value[key] as FormValue);
  return value;
}

function emptyObject(): FormObject {
  return Object.create(null) as FormObject;
}
