import { parseSimpleYaml } from '../yaml/simple-yaml.ts';
import { MAX_ALIAS_COUNT, MAX_YAML_BYTES, YamlSource } from '../yaml/source.ts';
import type { YamlPath, YamlRanges } from '../yaml/source.ts';
import { configValidator, schemaAt } from './schema.ts';
import type { SchemaError } from './schema.ts';
import type { ConfigDiagnostic, Severity } from './diagnostics.ts';
import { didYouMean } from './suggest.ts';
import { semanticDiagnostics } from './rules.ts';

/** A config text, parsed and checked. `value` is undefined when the YAML itself is broken. */
export interface ConfigValidation {
  /** Where each path is in the text, for diagnostics. */
  source: YamlRanges;
  value: Record<string, unknown> | undefined;
  diagnostics: ConfigDiagnostic[];
}

/**
 * Validates an AAM config text against the schema and the policy rules. Never
 * throws: every problem, including broken YAML and resource-exhaustion
 * attempts, comes back as a diagnostic at a range in the text.
 */
export function validateConfigText(text: string, options: { parser?: 'auto' | 'full' } = {}): ConfigValidation {
  if (text.length > MAX_YAML_BYTES) {
    const source = new YamlSource('');
    return {
      source,
      value: undefined,
      diagnostics: [
        at(
          source,
          [],
          'error',
          'YAML_TOO_LARGE',
          `The file is larger than ${MAX_YAML_BYTES / 1024 / 1024} MB; config files are small.`,
        ),
      ],
    };
  }
  // Plain config YAML (no anchors, tags, block scalars…) is read by the fast reader, which keeps the same ranges.
  const simple = options.parser === 'full' ? undefined : parseSimpleYaml(text);
  if (simple) return check(simple, simple.value ?? {});
  const source = new YamlSource(text);
  const diagnostics: ConfigDiagnostic[] = [];
  for (const error of source.doc.errors) {
    diagnostics.push({
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: firstLine(error.message),
      range: source.rangeOf(error.pos[0], error.pos[1]),
      path: [],
    });
  }
  for (const warning of source.doc.warnings) {
    diagnostics.push({
      severity: 'warning',
      code: 'YAML_WARNING',
      message: firstLine(warning.message),
      range: source.rangeOf(warning.pos[0], warning.pos[1]),
      path: [],
    });
  }
  if (source.doc.errors.length > 0) return { source, value: undefined, diagnostics };

  let value: unknown;
  try {
    value = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    diagnostics.push(
      at(source, [], 'error', 'YAML_ALIASES', `The file cannot be read: ${firstLine((error as Error).message)}`),
    );
    return { source, value: undefined, diagnostics };
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    diagnostics.push(
      at(
        source,
        [],
        'error',
        'NOT_A_MAPPING',
        'A config file must be a mapping of keys (such as `security:`) to values.',
      ),
    );
    return { source, value: undefined, diagnostics };
  }
  return check(source, value as Record<string, unknown>, diagnostics);
}

/** Schema and policy rules over a parsed config. */
function check(
  source: YamlRanges,
  config: Record<string, unknown>,
  diagnostics: ConfigDiagnostic[] = [],
): ConfigValidation {
  const validate = configValidator();
  // One by one: a file of 200,000 unknown keys has as many diagnostics, more than a spread's arguments can be.
  if (!validate(config)) for (const d of schemaDiagnostics(source, config, validate.errors ?? [])) diagnostics.push(d);
  for (const d of semanticDiagnostics(source, config)) diagnostics.push(d);
  diagnostics.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  return { source, value: config, diagnostics };
}

function schemaDiagnostics(source: YamlRanges, config: unknown, errors: readonly SchemaError[]): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'type' && typeErrorPaths.has(error.instancePath)) continue;
    // A key that breaks propertyNames is reported once, at the key, by its propertyNames error.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    // A `__proto__` key is a blocking error of its own (rules.ts), not an unknown key besides.
    if ((error.params as { additionalProperty?: unknown }).additionalProperty === '__proto__') continue;
    const diagnostic = toDiagnostic(source, config, error);
    const key = `${diagnostic.code}|${JSON.stringify(diagnostic.path)}|${diagnostic.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(diagnostic);
    }
  }
  return out;
}

function toDiagnostic(source: YamlRanges, config: unknown, error: SchemaError): ConfigDiagnostic {
  const path = pointerToPath(error.instancePath, config);
  const name = displayPath(path);
  const parentSchema = error.parentSchema as { errorMessage?: string } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      if (key === '<<')
        return diag(
          source,
          [...path, key],
          'error',
          'MERGE_KEY',
          'A YAML merge key ("<<") is merged into its mapping by aam (YAML 1.1) and is a plain, unknown key to AAM Trust (YAML 1.2): the two would read different settings. Write the keys out.',
          'key',
        );
      const known = Object.keys(schemaAt(path)?.properties ?? {});
      const suggestion = didYouMean(key, known);
      const where = path.length === 0 ? 'at the top level' : `in ${name}`;
      const severity: Severity = path[0] === 'security' ? 'error' : 'warning';
      const message = `Unknown key "${key}" ${where}.${suggestion ? ` Did you mean "${suggestion}"?` : ` Known keys: ${known.join(', ')}.`}${severity === 'error' ? ' An unknown security key has no effect, so the policy may be weaker than intended.' : ''}`;
      return {
        severity,
        code: 'UNKNOWN_KEY',
        message,
        range: source.keyRange([...path, key]),
        path: [...path, key],
        ...(suggestion ? { fix: { title: `Rename to "${suggestion}"`, replacement: suggestion } } : {}),
      };
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return diag(source, path, 'error', 'MISSING_KEY', `${name || 'The file'} is missing "${missing}".`, 'key');
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const actual = valueAt(config, path);
      const suggestion = typeof actual === 'string' ? didYouMean(actual, allowed) : undefined;
      const message = `${name} must be one of: ${allowed.join(', ')}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`;
      return {
        ...diag(source, path, 'error', 'INVALID_VALUE', message),
        ...(suggestion ? { fix: { title: `Change to "${suggestion}"`, replacement: suggestion } } : {}),
      };
    }
    case 'const':
      return diag(
        source,
        path,
        'error',
        path.join('.') === 'security.require_checksum' ? 'CHECKSUM_REQUIRED' : 'INVALID_VALUE',
        `${name} ${parentSchema?.errorMessage ?? `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`}.`,
      );
    case 'type': {
      const expected = String((error.params as { type: string | string[] }).type)
        .replace(',null', '')
        .replace(',', ' or ');
      return diag(
        source,
        path,
        'error',
        'WRONG_TYPE',
        `${name || 'The file'} must be ${article(expected)} ${expected}${expected === 'boolean' ? ' (true or false)' : ''}.`,
      );
    }
    case 'uniqueItems': {
      const { i, j } = error.params as { i: number; j: number };
      return diag(
        source,
        [...path, Math.max(i, j)],
        'warning',
        'DUPLICATE_ENTRY',
        `${name} lists the same entry twice (items ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1}).`,
      );
    }
    case 'pattern':
      return diag(
        source,
        path,
        'error',
        'INVALID_VALUE',
        `${name} ${parentSchema?.errorMessage ?? `must match ${(error.params as { pattern: string }).pattern}`}.`,
      );
    case 'propertyNames': {
      const key = String((error.params as { propertyName: string }).propertyName);
      const names = schemaAt(path)?.propertyNames as { errorMessage?: string } | undefined;
      return {
        severity: 'error',
        code: 'INVALID_VALUE',
        message: `"${key}" in ${name} ${names?.errorMessage ?? 'is not a valid key'}.`,
        range: source.keyRange([...path, key]),
        path: [...path, key],
      };
    }
    case 'minLength':
      return diag(source, path, 'error', 'INVALID_VALUE', `${name} must not be empty.`);
    default:
      return diag(source, path, 'error', 'INVALID_VALUE', `${name} ${error.message ?? 'is invalid'}.`);
  }
}

function diag(
  source: YamlRanges,
  path: YamlPath,
  severity: Severity,
  code: string,
  message: string,
  target: 'key' | 'value' = 'value',
): ConfigDiagnostic {
  return { severity, code, message, range: target === 'key' ? source.keyRange(path) : source.valueRange(path), path };
}

function at(source: YamlRanges, path: YamlPath, severity: Severity, code: string, message: string): ConfigDiagnostic {
  return diag(source, path, severity, code, message);
}

/** `/security/trusted_keys/0` → ['security', 'trusted_keys', 0], numbering only list indexes. */
export function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(segment));
      node = node[Number(segment)];
    } else {
      path.push(segment);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

export function displayPath(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function valueAt(root: unknown, path: YamlPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
