import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Validates a SARIF log against the official SARIF 2.1.0 schema (JSON Schema draft-04); the errors, or none. */
export function sarifErrors(log: unknown): string[] {
  const Ajv = require('ajv-draft-04') as new (options: object) => {
    compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] };
  };
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.id;
  // The schema's language-tag pattern is not valid with the u flag (a lone bracket), as it is in draft-04 validators.
  const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath}: ${e.message}`);
}
