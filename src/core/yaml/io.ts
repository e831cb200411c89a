import { Document } from 'yaml';
import { AamError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import type { ReadKind, SafeReadOptions } from '../fs/safe-read.ts';
import { parseBlockMapping, parseBlockMappingLazily } from './block-mapping.ts';
import type { LazyMapping } from './block-mapping.ts';
import { MAX_ALIAS_COUNT, MAX_YAML_BYTES, YamlSource } from './source.ts';
import { escapeYaml11Breaks, hasYaml11Breaks, quoteYaml11Breaks } from './yaml11.ts';

/**
 * Reads a YAML mapping from a file written by AAM or by someone else (a
 * shared registry, a cloned repository): size and alias limits, no custom
 * tags, and a coded error that names the file. Missing files give undefined;
 * anything but a regular file within the size of its kind is refused
 * (`options.followLinks`: a link to one too, for the user's own files).
 */
export async function readYamlMapping(
  path: string,
  code: ErrorCode,
  kind: ReadKind,
  options: SafeReadOptions & { fullLimit?: number } = {},
): Promise<Record<string, unknown> | undefined> {
  const bytes = await readRegularFile(path, kind, options);
  return bytes === undefined ? undefined : parseYamlMapping(bytes.toString('utf8'), path, code, options.fullLimit);
}

export function parseYamlMapping(
  text: string,
  where: string,
  code: ErrorCode,
  fullLimit = MAX_YAML_BYTES,
): Record<string, unknown> {
  if (text.length > MAX_YAML_BYTES) throw new AamError(code, `${where} is too large to be an AAM file.`);
  // Most AAM files are plain block mappings: read those fast, the rest with the full parser.
  const simple = parseBlockMapping(text);
  if (simple) return simple;
  return fullMapping(text, where, code, fullLimit);
}

/**
 * What the full parser may be given of a lock file or trust record, which aam and AAM Trust write almost
 * always as the fast reader reads it (a key of 128 characters or more, or one with an escape, is not): the
 * `yaml` library takes about 4 s and 500 MB a megabyte of small entries, and a pull request's 8 MB lock
 * file of repeated keys held verify for 30 s and 2.5 GB (verify2-review F1). A bigger text the fast
 * reader leaves is refused, saying how to write it again.
 */
export const WRITTEN_BY_AAM_LIMIT = 1024 * 1024;

/**
 * `readYamlMapping`, for a file of which a few entries of the mapping under
 * `key` are wanted (`verify NAME` in a lock file of thousands): the same
 * errors for the same text, anywhere in it, but an entry is built only when
 * asked for (see `parseBlockMappingLazily`; the full parser's reading, for a
 * text the fast reader leaves to it, is built whole).
 */
export async function readYamlMappingLazily(
  path: string,
  code: ErrorCode,
  kind: ReadKind,
  key: string,
  fullLimit = MAX_YAML_BYTES,
): Promise<LazyMapping | undefined> {
  const bytes = await readRegularFile(path, kind);
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  if (text.length > MAX_YAML_BYTES) throw new AamError(code, `${path} is too large to be an AAM file.`);
  const lazy = parseBlockMappingLazily(text, key);
  if (lazy) return lazy;
  const root = fullMapping(text, path, code, fullLimit);
  const entries = root[key];
  return {
    root,
    entry: (name) =>
      entries && typeof entries === 'object' && Object.hasOwn(entries, name)
        ? (entries as Record<string, unknown>)[name]
        : undefined,
  };
}

function fullMapping(text: string, where: string, code: ErrorCode, limit: number): Record<string, unknown> {
  if (text.length > limit)
    throw new AamError(
      code,
      `${where} needs the full YAML parser (flow collections, anchors, repeated keys, tabs, long or escaped keys), and at ${Math.ceil(text.length / 1024)} KB it is too large for it (at most ${limit / 1024} KB).`,
      { hint: 'Write it again with aam install or aam-trust install, or restore the committed version.' },
    );
  const source = new YamlSource(text);
  const problem = source.doc.errors[0];
  if (problem) throw new AamError(code, `${where} is not valid YAML: ${problem.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new AamError(code, `${where} cannot be read: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AamError(code, `${where} must be a mapping.`);
  return value as Record<string, unknown>;
}

/**
 * YAML as the AAM CLI (PyYAML's safe_dump) writes it: block style, keys in
 * insertion order, sequences not indented, and every string that YAML 1.1
 * would read as something else quoted — PyYAML reads an unquoted
 * `2026-12-01T14:00:00Z` as a datetime, `yes` as a boolean, `1.0` as a number.
 * A string that holds a YAML 1.1 line break (U+0085, U+2028, U+2029) is
 * double-quoted with the break escaped, or PyYAML would read extra keys.
 */
export function toYamlText(value: unknown): string {
  const options = {
    version: '1.1',
    lineWidth: 0,
    aliasDuplicateObjects: false,
    singleQuote: true,
    indentSeq: false,
  } as const;
  const doc = new Document(value, options);
  const text = doc.toString(options);
  // Most texts hold no break (a lock file of thousands of entries): written once. A new document has
  // no comments, so a break in its text is in a scalar, which the second writing quotes.
  if (!hasYaml11Breaks(text)) return text;
  quoteYaml11Breaks(doc);
  return escapeYaml11Breaks(doc.toString(options));
}
