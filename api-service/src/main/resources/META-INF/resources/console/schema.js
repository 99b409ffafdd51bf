// A small JSON Schema (draft 7) checker for the keywords actions use, so that the console can refuse an edited input
// before sending it and say what is wrong next to the field. Keywords it does not know are not checked here; the API
// checks the whole schema again (everit) and its 422 is shown as well.

/** Draft-7 type of a JSON value. */
function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value; // string, boolean, object
}

function hasType(value, type) {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function equal(a, b) {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
}

const escape = (name) => String(name).replace(/~/g, '~0').replace(/\//g, '~1');
const show = (v) => JSON.stringify(v);
const length = (s) => [...s].length; // code points, as draft 7 counts

/**
 * The problems of a value against a schema: [{pointer, message}], empty when it conforms to the keywords checked. A
 * missing required property is reported at the property's own pointer, so a form can show it next to its field.
 */
export function validate(schema, value, pointer = '') {
  const errors = [];
  check(schema, value, pointer, errors);
  return errors;
}

function check(schema, value, at, errors) {
  if (schema === true || schema === undefined || schema === null) return;
  if (schema === false) { errors.push({ pointer: at, message: 'no value is allowed here' }); return; }
  if (typeof schema !== 'object') return;
  const add = (message, pointer = at) => errors.push({ pointer, message });

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      add(`must be ${types.join(' or ')}, not ${typeOf(value)}`);
      return; // the other keywords would only repeat the same mistake
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((v) => equal(v, value))) {
    add(`must be one of ${schema.enum.map(show).join(', ')}`);
  }
  if ('const' in schema && !equal(schema.const, value)) add(`must be ${show(schema.const)}`);

  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) add(`must be at least ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) add(`must be at most ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      add(`must be more than ${schema.exclusiveMinimum}`);
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      add(`must be less than ${schema.exclusiveMaximum}`);
    }
    if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) {
      const quotient = value / schema.multipleOf;
      // a quotient too large for a number is no whole multiple anyone could mean
      if (!Number.isFinite(quotient) || Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        add(`must be a multiple of ${schema.multipleOf}`);
      }
    }
  }

  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && length(value) < schema.minLength) {
      add(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number' && length(value) > schema.maxLength) {
      add(`must be at most ${schema.maxLength} characters`);
    }
    if (typeof schema.pattern === 'string') {
      let pattern = null;
      try { pattern = new RegExp(schema.pattern, 'u'); } catch { /* a pattern JavaScript cannot read: the API checks it */ }
      if (pattern && !pattern.test(value)) add(`must match the pattern ${schema.pattern}`);
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      add(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      add(`must have at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`);
    }
    if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => equal(v, w)) !== i)) {
      add('must not repeat an item');
    }
    if (Array.isArray(schema.items)) {
      value.forEach((item, i) => {
        if (i < schema.items.length) check(schema.items[i], item, `${at}/${i}`, errors);
        else if (schema.additionalItems !== undefined) check(schema.additionalItems, item, `${at}/${i}`, errors);
      });
    } else if (schema.items !== undefined) {
      value.forEach((item, i) => check(schema.items, item, `${at}/${i}`, errors));
    }
  }

  if (typeOf(value) === 'object') {
    const properties = schema.properties || {};
    // own properties only: "toString" or "__proto__" are names like any other, not what every object inherits
    const own = (object, name) => Object.prototype.hasOwnProperty.call(object, name);
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (!own(value, name)) add('is required', `${at}/${escape(name)}`);
    }
    for (const [name, v] of Object.entries(value)) {
      const where = `${at}/${escape(name)}`;
      if (own(properties, name)) check(properties[name], v, where, errors);
      else if (schema.additionalProperties === false) add('is not an allowed property', where);
      else if (schema.additionalProperties !== undefined) check(schema.additionalProperties, v, where, errors);
    }
    const count = Object.keys(value).length;
    if (typeof schema.minProperties === 'number' && count < schema.minProperties) {
      add(`must have at least ${schema.minProperties} properties`);
    }
    if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) {
      add(`must have at most ${schema.maxProperties} properties`);
    }
  }

  if (Array.isArray(schema.allOf)) schema.allOf.forEach((s) => check(s, value, at, errors));
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => validate(s, value, at).length === 0)) {
    add('must match one of the allowed shapes');
  }
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s) => validate(s, value, at).length === 0).length !== 1) {
    add('must match exactly one of the allowed shapes');
  }
  if (schema.not !== undefined && validate(schema.not, value, at).length === 0) add('must not match the excluded shape');
}
