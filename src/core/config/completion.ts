import { schemaAt } from './schema.ts';

/** A completion for a config file: a key to add, or a value for a key. */
export interface ConfigCompletion {
  label: string;
  kind: 'key' | 'value';
  insertText: string;
  detail: string | undefined;
  documentation: string | undefined;
}

interface LineInfo {
  /** Column where the line's key (or value) starts, after any "- ". */
  indent: number;
  /** Column of the "-" when the line starts a list item. */
  dash: number | undefined;
  key: string | undefined;
}

/**
 * Completions at `offset` in a config text, from the schema. Works line by
 * line, so a half-typed document (what an editor has while you type) still
 * gets answers.
 */
export function configCompletions(text: string, offset: number): ConfigCompletion[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  const valueMatch = /^(\s*)(-\s+)?([A-Za-z_][\w-]*):\s*(\S*)$/.exec(prefix);
  const keyMatch = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)?$/.exec(prefix);
  const previous = text.slice(0, lineStart).split('\n');
  if (valueMatch) {
    const indent = valueMatch[1]!.length + (valueMatch[2]?.length ?? 0);
    const path = [...parentPath(previous, indent, !!valueMatch[2]), valueMatch[3]!];
    return valueCompletions(path);
  }
  if (keyMatch) {
    const indent = keyMatch[1]!.length + (keyMatch[2]?.length ?? 0);
    const path = parentPath(previous, indent, !!keyMatch[2]);
    const schema = schemaAt(path);
    if (!schema?.properties) return [];
    const present = siblingKeys(text, lineStart, indent, !!keyMatch[2]);
    return Object.entries(schema.properties)
      .filter(([name]) => !present.has(name))
      .map(([name]) => {
        const child = schemaAt([...path, name]);
        const nested = child?.type === 'object' || child?.type === 'array';
        return {
          label: name,
          kind: 'key' as const,
          insertText: nested ? `${name}:` : `${name}: `,
          detail: typeOf(child),
          documentation: child?.description,
        };
      });
  }
  return [];
}

function valueCompletions(path: (string | number)[]): ConfigCompletion[] {
  const schema = schemaAt(path);
  if (!schema) return [];
  const values =
    schema.enum ?? (schema.const !== undefined ? [schema.const] : schema.type === 'boolean' ? [true, false] : []);
  return values.map((value) => ({
    label: String(value),
    kind: 'value' as const,
    insertText: String(value),
    detail: value === schema.default ? 'default' : undefined,
    documentation: schema.description,
  }));
}

function parse(line: string): LineInfo | undefined {
  const match = /^(\s*)(-\s+)?(?:([A-Za-z_][\w-]*)\s*:)?/.exec(line);
  if (!match || line.trim() === '' || line.trim().startsWith('#')) return undefined;
  return {
    indent: match[1]!.length + (match[2]?.length ?? 0),
    dash: match[2] ? match[1]!.length : undefined,
    key: match[3],
  };
}

/**
 * The key path of the mapping a line belongs to, from the lines above it.
 * `indent` is where its key starts; `listItem` when it starts a new list item.
 * List items appear in the path as index 0 (the schema is the same for all).
 */
function parentPath(previous: string[], indent: number, listItem: boolean): (string | number)[] {
  const path: (string | number)[] = [];
  let column = indent;
  if (listItem) {
    path.unshift(0);
    column = indent - 2;
  }
  for (let i = previous.length - 1; i >= 0 && column > 0; i--) {
    const line = parse(previous[i]!);
    if (!line) continue;
    if (line.dash !== undefined && line.indent === column) {
      // the first line of the list item we are in
      path.unshift(0);
      column = line.dash;
      continue;
    }
    if (line.indent >= column || !line.key) continue;
    path.unshift(line.key);
    if (line.dash !== undefined) {
      path.unshift(0);
      column = line.dash;
    } else {
      column = line.indent;
    }
  }
  return path;
}

/** Keys already present in the mapping that the line at `lineStart` belongs to. */
function siblingKeys(text: string, lineStart: number, indent: number, listItem: boolean): Set<string> {
  const keys = new Set<string>();
  const lines = text.split('\n');
  const current = text.slice(0, lineStart).split('\n').length - 1;
  if (!listItem) {
    for (let i = current - 1; i >= 0; i--) {
      const line = parse(lines[i]!);
      if (!line) continue;
      if (line.indent < indent) break;
      if (line.indent === indent && line.key) keys.add(line.key);
      if (line.indent === indent && line.dash !== undefined) break; // the item's first line
    }
  }
  for (let i = current + 1; i < lines.length; i++) {
    const line = parse(lines[i]!);
    if (!line) continue;
    if (line.indent < indent || (line.dash !== undefined && line.indent === indent)) break;
    if (line.indent === indent && line.key) keys.add(line.key);
  }
  return keys;
}

function typeOf(schema: ReturnType<typeof schemaAt>): string | undefined {
  if (!schema) return undefined;
  if (schema.enum) return schema.enum.map(String).join(' | ');
  return Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
}
