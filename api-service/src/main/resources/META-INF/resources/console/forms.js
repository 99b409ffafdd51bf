// Forms built from a JSON Schema: one labelled field per top-level property of an object schema (text, number, a
// choice for an enum, a checkbox for a boolean, JSON for nested values), or one JSON field for any other schema. What
// is typed is checked with schema.js before anything is sent; each problem is shown next to its field.
import { h } from './dom.js';
import { validate } from './schema.js';

const unescape = (token) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The property a pointer is about ('' for the whole value). */
function topProperty(pointer) {
  const match = /^\/([^/]*)/.exec(pointer);
  return match ? unescape(match[1]) : '';
}

function kind(schema) {
  const type = Array.isArray(schema?.type) ? schema.type.filter((t) => t !== 'null')[0] : schema?.type;
  if (schema && Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'enum';
  return ['string', 'integer', 'number', 'boolean'].includes(type) ? type : 'json';
}

/**
 * A form for a value of the schema, filled with `value`. Returns {element, submit}: `submit()` reads the fields, checks
 * the value and shows every problem next to its field; it answers the value, or null when there was a problem.
 */
export function schemaForm(schema, value, id) {
  const fields = new Map(); // property name ('' = the whole value) -> {read, error, control}
  const objectForm = schema && typeof schema === 'object' && schema.properties
    && (schema.type === 'object' || schema.type === undefined)
    && (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value)));
  const element = h('div', { class: 'schema-form' });
  const summary = h('p', { class: 'error', id: `${id}-errors`, role: 'alert' });

  const field = (name, propertySchema, current, required) => {
    const fieldId = `${id}-${name === '' ? 'value' : name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const error = h('p', { class: 'error field-error', id: `${fieldId}-error` });
    const label = name === '' ? 'Value (JSON)' : name;
    const describedBy = `${fieldId}-error ${fieldId}-help`;
    const help = h('span', { class: 'muted help', id: `${fieldId}-help`,
      text: [propertySchema?.description, required ? 'required' : ''].filter(Boolean).join(' · ') });
    let control;
    let read;
    switch (kind(propertySchema)) {
      case 'enum':
        control = h('select', { id: fieldId, name, 'aria-describedby': describedBy },
          required ? null : h('option', { value: '', text: '(none)' }),
          propertySchema.enum.map((v) => h('option', { value: v, text: v, selected: v === current })));
        read = () => (control.value === '' ? undefined : control.value);
        break;
      case 'boolean':
        control = h('input', { id: fieldId, name, type: 'checkbox', 'aria-describedby': describedBy, checked: current === true });
        read = () => control.checked;
        break;
      case 'integer':
      case 'number':
        control = h('input', { id: fieldId, name, type: 'text', inputmode: 'decimal', autocomplete: 'off',
          'aria-describedby': describedBy });
        control.value = current === undefined || current === null ? '' : String(current);
        // text that is no number is kept as text, so the schema's type error is the one shown
        read = () => {
          const text = control.value.trim();
          if (text === '') return undefined;
          return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
        };
        break;
      case 'string':
        control = h('input', { id: fieldId, name, type: 'text', autocomplete: 'off', 'aria-describedby': describedBy });
        control.value = typeof current === 'string' ? current : (current === undefined ? '' : JSON.stringify(current));
        read = () => (control.value === '' ? undefined : control.value);
        break;
      default:
        control = h('textarea', { id: fieldId, name, rows: name === '' ? 6 : 3, 'aria-describedby': describedBy });
        control.value = current === undefined ? '' : JSON.stringify(current, null, 2);
        read = () => {
          if (control.value.trim() === '') return undefined;
          try { return JSON.parse(control.value); } catch (e) { throw new SyntaxError(`is not JSON (${e.message})`); }
        };
    }
    fields.set(name, { read, error, control });
    const box = h('div', { class: 'field', 'data-field': name }, h('label', { for: fieldId, text: label }), control, help, error);
    element.append(box);
  };

  if (objectForm) {
    const current = value || {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    for (const [name, propertySchema] of Object.entries(schema.properties)) {
      field(name, propertySchema, current[name], required.has(name));
    }
    for (const name of Object.keys(current)) {
      if (!(name in schema.properties)) field(name, schema.additionalProperties ?? true, current[name], false);
    }
  } else {
    field('', schema, value, true);
  }
  element.append(summary);

  const submit = () => {
    const problems = [];
    let result;
    if (objectForm) {
      result = {};
      for (const [name, f] of fields) {
        try {
          const v = f.read();
          if (v !== undefined) result[name] = v;
        } catch (e) { problems.push({ pointer: `/${name}`, message: e.message }); }
      }
    } else {
      try { result = fields.get('').read(); } catch (e) { problems.push({ pointer: '', message: e.message }); }
      if (result === undefined) problems.push({ pointer: '', message: 'is required' });
    }
    if (problems.length === 0) problems.push(...validate(schema, result));
    for (const f of fields.values()) { f.error.textContent = ''; f.control.removeAttribute('aria-invalid'); }
    const elsewhere = [];
    for (const problem of problems) {
      const f = fields.get(topProperty(problem.pointer)) || (objectForm ? null : fields.get(''));
      const nested = problem.pointer.split('/').length > 2 ? `${problem.pointer}: ` : '';
      if (f) {
        f.error.textContent = [f.error.textContent, `${nested}${problem.message}`].filter(Boolean).join('; ');
        f.control.setAttribute('aria-invalid', 'true');
      } else {
        elsewhere.push(`${problem.pointer || 'the value'} ${problem.message}`);
      }
    }
    summary.textContent = problems.length ? `Not sent: ${problems.length} problem${problems.length > 1 ? 's' : ''} `
      + `with the input.${elsewhere.length ? ' ' + elsewhere.join('; ') : ''}` : '';
    if (problems.length) {
      const first = [...fields.values()].find((f) => f.control.getAttribute('aria-invalid') === 'true');
      (first?.control)?.focus();
      return null;
    }
    return { value: result };
  };
  return { element, submit };
}
