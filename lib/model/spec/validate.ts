/**
 * The one ajv instance that checks every spec file against its JSON Schema (draft-07).
 *
 * ajv runs with `verbose: true` so errors carry the offending value and parent schema
 * (lib/model/io/json.ts turns the first into a one-line message), and WITHOUT `useDefaults`:
 * validation never mutates the caller's data; defaults are filled explicitly by the
 * resolvers (network.ts, hardware.ts) from constants that the tests compare with the
 * schemas' `default` fields. Schemas are compiled lazily, once per process (a few ms).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { schemaErrors } from '../io/json';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    ajv ??= new Ajv({ allErrors: false, verbose: true, strict: true });
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Throw an InputError (`where: /json/path: what`) unless `data` matches `schema`. */
export function checkSchema<T>(schema: object, data: unknown, where: string): T {
  const validate = validatorFor(schema);
  if (!validate(data)) throw schemaErrors(where, validate.errors);
  return data as T;
}
