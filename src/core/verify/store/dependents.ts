import { collisionKey } from '../../archive/entry-path.ts';
import { nameGroupPath } from '../../scan/name-groups.ts';

/**
 * Which vouches (by key) hang on which paths, for ChangeWatch: a change of a
 * path concerns those that depend on it, on a path inside it, or on a folder
 * it is inside; a name appearing in a folder concerns those that depend on
 * the names there that are that name on macOS and Windows (nameGroupKey).
 */
export class Dependents {
  private readonly exact = new Map<string, Set<string>>();
  private readonly above = new Map<string, Set<string>>();
  private readonly names = new Map<string, Set<string>>();

  add(key: string, deps: readonly string[]): void {
    for (const dep of deps) this.each(dep, (map, path) => index(map, path, key));
  }

  remove(key: string, deps: readonly string[]): void {
    for (const dep of deps) this.each(dep, (map, path) => unindex(map, path, key));
  }

  /** The vouches a change of `path` concerns. */
  of(path: string): string[] {
    const keys = [...(this.above.get(path) ?? [])];
    for (let at: string | undefined = path; at !== undefined; at = parentOf(at))
      keys.push(...(this.exact.get(at) ?? []));
    return keys;
  }

  /** The vouches that `name` appearing in (or leaving) `dir` concerns. */
  ofName(dir: string, name: string): string[] {
    return [...(this.names.get(nameIn(dir, name)) ?? [])];
  }

  clear(): void {
    this.exact.clear();
    this.above.clear();
    this.names.clear();
  }

  private each(dep: string, visit: (map: Map<string, Set<string>>, path: string) => void): void {
    const group = nameGroupPath(dep);
    if (group !== undefined) {
      const dir = parentOf(group) ?? '/';
      visit(this.names, nameIn(dir, group.slice(group.lastIndexOf('/') + 1)));
      return;
    }
    visit(this.exact, dep);
    for (let dir = parentOf(dep); dir !== undefined; dir = parentOf(dir)) visit(this.above, dir);
  }
}

/** What a dependency on a watched path depends on: that folder watched, or (a name group) the folder holding the names. */
export function watchedPathOf(dep: string): string {
  const group = nameGroupPath(dep);
  return group === undefined ? dep : (parentOf(group) ?? '/');
}

const nameIn = (dir: string, name: string) => `${dir}\0${collisionKey(name)}`;

export function parentOf(path: string): string | undefined {
  if (path === '/') return undefined;
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function index(map: Map<string, Set<string>>, path: string, key: string): void {
  let keys = map.get(path);
  if (!keys) map.set(path, (keys = new Set()));
  keys.add(key);
}

function unindex(map: Map<string, Set<string>>, path: string, key: string): void {
  const keys = map.get(path);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) map.delete(path);
}
