import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import { layerOf, rankOf } from '../../scripts/layers.ts';

/** One import of one file of src/: static, dynamic or type-only, all count. */
export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT = /(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import between the .ts files under `root`/src, as paths from `root`. */
export async function importGraph(root: string): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  for (const file of await tsFiles(join(root, 'src'))) {
    const from = relative(root, file);
    for (const match of (await readFile(file, 'utf8')).matchAll(IMPORT)) {
      const to = normalize(join(dirname(from), match[2] ?? match[3]!));
      if (to.endsWith('.ts')) edges.push({ from, to, typeOnly: match[1] !== undefined });
    }
  }
  return edges;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** Imports from a floor of src/core to a higher one (scripts/layers.ts), as "from -> to". */
export function backImports(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => {
      const [a, b] = [layerOf(e.from), layerOf(e.to)];
      return a !== undefined && b !== undefined && rankOf(b) > rankOf(a);
    })
    .map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
}

/** The import circles (strongly connected groups of two or more files), type-only imports included. */
export function circles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}
