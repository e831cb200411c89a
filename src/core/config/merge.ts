/** Where an effective value came from. */
export interface ConfigOrigin {
  layer: 'global' | 'project' | 'default';
  file: string | undefined;
}

export interface ConfigLayer {
  origin: ConfigOrigin;
  value: Record<string, unknown>;
}

/** The merged config, able to say which file each effective value came from. */
export interface MergedConfig {
  value: Record<string, unknown>;
  originOf(path: readonly (string | number)[]): ConfigOrigin;
}

export const DEFAULT_ORIGIN: ConfigOrigin = { layer: 'default', file: undefined };

/**
 * Merges layers lowest first, as the AAM CLI does: mappings merge key by key,
 * lists and scalars replace what was below them.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedConfig {
  const origins = new Map<string, ConfigOrigin>();
  let value: Record<string, unknown> = {};
  for (const layer of layers) value = mergeInto(value, layer.value, layer.origin, [], origins);
  return {
    value,
    originOf(path) {
      if (!hasPath(value, path)) return DEFAULT_ORIGIN;
      for (let n = path.length; n > 0; n--) {
        const found = origins.get(key(path.slice(0, n)));
        if (found) return found;
      }
      return DEFAULT_ORIGIN;
    },
  };
}

function mergeInto(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
  origin: ConfigOrigin,
  path: string[],
  origins: Map<string, ConfigOrigin>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(override)) {
    const childPath = [...path, name];
    // Own keys only, written as data: a file's `__proto__:` must not become the merged config's
    // prototype, from which every key the layers below leave unset would be read (project-review F1).
    const below = Object.hasOwn(result, name) ? result[name] : undefined;
    if (isPlainObject(below) && isPlainObject(value)) {
      setOwn(result, name, mergeInto(below, value, origin, childPath, origins));
    } else {
      setOwn(result, name, value);
      for (const existing of [...origins.keys()])
        if (existing.startsWith(`${key(childPath)}\u0000`)) origins.delete(existing);
      origins.set(key(childPath), origin);
      if (isPlainObject(value)) recordLeaves(value, origin, childPath, origins);
    }
  }
  return result;
}

function recordLeaves(
  value: Record<string, unknown>,
  origin: ConfigOrigin,
  path: string[],
  origins: Map<string, ConfigOrigin>,
): void {
  for (const [name, child] of Object.entries(value)) {
    origins.set(key([...path, name]), origin);
    if (isPlainObject(child)) recordLeaves(child, origin, [...path, name], origins);
  }
}

function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function hasPath(root: unknown, path: readonly (string | number)[]): boolean {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return true;
}

function key(path: readonly (string | number)[]): string {
  return path.map(String).join('\u0000');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
