import { type Html, html } from './html.js';

/** A form's errors after a refused POST: which form, each field's messages, what was typed (no secret). */
export interface FormState {
  readonly form: string;
  readonly fields: Readonly<Record<string, readonly string[]>>;
  readonly values: Readonly<Record<string, string>>;
}

/** The errors and values of `form`, when the refused POST was that form's. */
export function stateFor(state: FormState | undefined, form: string): FormState | undefined {
  return state?.form === form ? state : undefined;
}

/** A field's error messages, shown next to it. */
export function fieldErrors(state: FormState | undefined, name: string): Html {
  return html`${(state?.fields[name] ?? []).map((m) => html`<span class="error">${m}</span>`)}`;
}

/** The errors of the form that name none of its fields, shown at its top. */
export function otherErrors(state: FormState | undefined, known: readonly string[]): Html {
  const other = Object.entries(state?.fields ?? {}).filter(([name]) => !known.includes(name));
  return html`${other.map(([name, ms]) => html`<p class="notice" role="alert">${name}: ${ms.join('; ')}</p>`)}`;
}

/** A labelled input; a `password` input is never filled in, whatever `value` says. */
export function input(
  form: string,
  state: FormState | undefined,
  field: { name: string; label: string; type?: 'text' | 'password' | 'url'; value?: string | null },
): Html {
  const id = `${form}-${field.name}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const type = field.type ?? 'text';
  const value = type === 'password' ? '' : (state?.values[field.name] ?? field.value ?? '');
  return html`<div><label for="${id}">${field.label}</label>
<input type="${type}" id="${id}" name="${field.name}" value="${value}"${type === 'password' ? html` autocomplete="new-password"` : ''}>
${fieldErrors(state, field.name)}</div>`;
}

/** A select of `options`, `selected` chosen. */
export function select(
  form: string,
  state: FormState | undefined,
  field: { name: string; label: string; options: readonly string[]; selected?: string | null },
): Html {
  const id = `${form}-${field.name}`;
  const chosen = state?.values[field.name] ?? field.selected;
  return html`<div><label for="${id}">${field.label}</label>
<select id="${id}" name="${field.name}">${field.options.map(
    (o) => html`<option value="${o}"${o === chosen ? html` selected` : ''}>${o}</option>`,
  )}</select>${fieldErrors(state, field.name)}</div>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}
