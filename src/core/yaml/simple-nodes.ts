/**
 * The nodes the fast YAML reader (simple-yaml.ts) builds: each keeps its
 * value and where it is in the text, with the `yaml` library's range
 * conventions, so that simple-source.ts can answer ranges as YamlSource does.
 */
export type SimpleNode = SimpleScalar | SimpleMap | SimpleSeq;
/** `start` and `end` are the yaml library's range[0] and range[1]; `after` is its range[2] (trailing space, comment, newline). */
export interface SimpleScalar {
  kind: 'scalar';
  start: number;
  end: number;
  after: number;
  value: unknown;
}
export interface SimplePair {
  key: string;
  start: number;
  end: number;
  value: SimpleNode;
}
export interface SimpleMap {
  kind: 'map';
  start: number;
  end: number;
  after: number;
  pairs: SimplePair[];
  value: Record<string, unknown>;
}
export interface SimpleSeq {
  kind: 'seq';
  start: number;
  end: number;
  after: number;
  items: SimpleNode[];
  value: unknown[];
}

/** Thrown where the text leaves the subset the fast reader handles: the caller falls back to the full parser. */
export const BAIL = Symbol('bail');
export function bail(): never {
  throw BAIL;
}

export function map(start: number): SimpleMap {
  return { kind: 'map', start, end: start, after: start, pairs: [], value: {} };
}

export function seq(start: number): SimpleSeq {
  return { kind: 'seq', start, end: start, after: start, items: [], value: [] };
}

export function scalar(start: number, end: number, value: unknown, after = end): SimpleScalar {
  return { kind: 'scalar', start, end, after, value };
}

export function set(target: SimpleMap, key: string, start: number, end: number, value: SimpleNode): void {
  target.pairs.push({ key, start, end, value });
  target.value[key] = value.value;
}

export function add(target: SimpleSeq, value: SimpleNode): void {
  target.items.push(value);
  target.value.push(value.value);
}
