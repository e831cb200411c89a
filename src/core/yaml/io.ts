import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { AamError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { parseBlockMapping } from './block-mapping.ts';
import { MAX_ALIAS_COUNT, MAX_YAML_BYTES, YamlSource } from './source.ts';

/**
 * Reads a YAML mapping from a file written by AAM or by someone else (a
 * shared registry, a cloned repository): size and alias limits, no custom
 * tags, and a coded error that names the file. Missing files give undefined.
 */
export async function readYamlMapping(path: string, code: ErrorCode): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AamError('IO', `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseYamlMapping(text, path, code);
}

export function parseYamlMapping(text: string, where: string, code: ErrorCode): Record<string, unknown> {
  if (text.length > MAX_YAML_BYTES) throw new AamError(code, `${where} is too large to be an AAM file.`);
  // Most AAM files are plain block mappings: read those fast, the rest with the full parser.
  const simple = parseBlockMapping(text);
  if (simple) return simple;
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

/** YAML as the AAM CLI writes it: block style, keys in insertion order. */
export function toYamlText(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
