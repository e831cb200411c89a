import { Ajv } from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS with a `default` export: Node's import and a bundler's differ on which is which.
export const addFormats: typeof formats.default =
  (formats as unknown as { default?: typeof formats.default }).default ??
  (formats as unknown as typeof formats.default);

type Compile = (route: { schema: AnySchema; httpPart?: string }) => ValidateFunction;

/**
 * The validators of every route, built from the schemas the routes declare.
 * Two Ajv instances (the ajv this project already uses): the path, query and
 * headers arrive as text, so numbers there are converted; a JSON body is
 * checked as sent — nothing converted, nothing defaulted, no unknown field
 * dropped: a body that does not match its schema is refused, naming the field.
 */
export function buildValidator(externalSchemas: Record<string, AnySchema>): Compile {
  const make = (coerceTypes: boolean) => {
    const ajv = new Ajv({ coerceTypes, useDefaults: coerceTypes, removeAdditional: false, allErrors: false });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'example' });
    for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema);
    return ajv;
  };
  const text = make(true);
  const body = make(false);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    const id = (schema as { $id?: string }).$id;
    return (id && ajv.getSchema(id)) || ajv.compile(schema);
  };
}
