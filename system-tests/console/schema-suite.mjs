// Runs the console's draft-7 checker (console/schema.js) against the official JSON-Schema-Test-Suite's draft-7 cases
// whose schemas use only the keywords it checks, for ConsoleSchemaIT. Arguments: the checker's file, the suite's
// draft7 folder. Prints one JSON line: cases run, skipped (other keywords), and every disagreement; exits 1 on any.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [checkerFile, suiteDir] = process.argv.slice(2);
const { validate } = await import('data:text/javascript,' + encodeURIComponent(readFileSync(checkerFile, 'utf8')));

const CHECKED = new Set(['type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'items', 'additionalItems',
  'required', 'properties', 'additionalProperties', 'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not',
  'description', 'title', 'default']);

/** Whether every keyword of the schema, at every depth, is one the checker knows. */
function onlyChecked(schema) {
  if (typeof schema === 'boolean') return true;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return false;
  for (const [keyword, value] of Object.entries(schema)) {
    if (!CHECKED.has(keyword)) return false;
    if (keyword === 'properties' && !Object.values(value).every(onlyChecked)) return false;
    if (['additionalProperties', 'additionalItems', 'not'].includes(keyword) && !onlyChecked(value)) return false;
    if (keyword === 'items' && !(Array.isArray(value) ? value.every(onlyChecked) : onlyChecked(value))) return false;
    if (['allOf', 'anyOf', 'oneOf'].includes(keyword) && !value.every(onlyChecked)) return false;
  }
  return true;
}

let run = 0;
let skipped = 0;
const wrong = [];
for (const file of readdirSync(suiteDir).filter((f) => f.endsWith('.json')).sort()) {
  for (const group of JSON.parse(readFileSync(join(suiteDir, file), 'utf8'))) {
    if (!onlyChecked(group.schema)) {
      skipped += group.tests.length;
      continue;
    }
    for (const test of group.tests) {
      run++;
      let valid;
      try {
        valid = validate(group.schema, test.data).length === 0;
      } catch (e) {
        valid = `threw ${e}`;
      }
      if (valid !== test.valid) wrong.push(`${file}: ${group.description} / ${test.description}: said ${valid}`);
    }
  }
}
console.log(JSON.stringify({ run, skipped, wrong }));
process.exit(wrong.length === 0 ? 0 : 1);
