import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS with a `default` export: Node's import and a bundler's differ on which is which.
const addAjvFormats: typeof formats.default =
  (formats as unknown as { default?: typeof formats.default }).default ??
  (formats as unknown as typeof formats.default);

/** RFC 3339 as ajv-formats checks it (leap seconds and year 0000 included). */
const rfc3339 = addAjvFormats.get('date-time', 'full') as { validate: (text: string) => boolean };
const rfc3339Date = addAjvFormats.get('date', 'full') as { validate: (text: string) => boolean };

/**
 * The instants both JavaScript's Date and PostgreSQL's timestamptz hold, as
 * the server writes them (toISOString, in UTC): years 0001 to 9999. Year 0
 * is a JS year but not a PostgreSQL one, and a later year is written `+010000-…`.
 */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function holdable(text: string): boolean {
  const time = new Date(text).getTime();
  return Number.isFinite(time) && time >= EARLIEST && time <= LATEST;
}

/**
 * ajv's formats, with `date-time` and `date` narrowed to what the registry
 * can hold: RFC 3339 allows a leap second (`23:59:60`), which JS cannot
 * parse (an Invalid Date), and years JS holds that PostgreSQL does not.
 * A value a route's schema accepts must be one it can store.
 */
export function addFormats(ajv: Ajv): Ajv {
  addAjvFormats(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => rfc3339.validate(text) && holdable(text) });
  ajv.addFormat('date', {
    type: 'string',
    validate: (text: string) => rfc3339Date.validate(text) && holdable(`${text}T00:00:00Z`),
  });
  return ajv;
}

// In Unicode mode a surrogate pair is one code point: only a lone surrogate matches.
// oxlint-disable-next-line no-control-regex -- NUL is what is refused
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/**
 * Where the first string (a value or a key) that PostgreSQL's text and jsonb
 * cannot hold is: a NUL character, or a lone surrogate (which would be
 * stored as U+FFFD, not as it was checked). A JSON Pointer, or undefined.
 */
export function unstorableString(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? at : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableString(value[i], `${at}/${i}`);
      if (found !== undefined) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const path = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (unstorableString(key, '') !== undefined) return path;
      const found = unstorableString(item, path);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * A route's validator that also refuses, in every part it checks (path,
 * query, headers, body), a string the database cannot hold, naming where.
 */
export function storableOnly(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = unstorableString(data);
    if (at === undefined) {
      checked.errors = null;
      return true;
    }
    const error: ErrorObject = {
      keyword: 'storable',
      instancePath: at,
      schemaPath: '#',
      params: {},
      message: 'must not hold a NUL character or a lone surrogate',
    };
    checked.errors = [error];
    return false;
  }) as ValidateFunction;
  return checked;
}
