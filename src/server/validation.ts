import { Ajv } from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import { addFormats, storableOnly } from './schema-formats.ts';

type Compile = (route: { schema: AnySchema; httpPart?: string }) => ValidateFunction;

/**
 * The validators of every route, built from the schemas the routes declare.
 * Two Ajv instances (the ajv this project already uses): the path, query and
 * headers arrive as text, so numbers there are converted; a JSON body is
 * checked as sent — nothing converted, nothing defaulted, no unknown field
 * dropped: a body that does not match its schema is refused, naming the field.
 * Every part is also held to what the registry can store (schema-formats.ts):
 * dates JS and PostgreSQL both hold, and no string with a NUL character.
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
    return storableOnly((id && ajv.getSchema(id)) || ajv.compile(schema));
  };
}
