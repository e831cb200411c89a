/** A deterministic pseudo-random generator (mulberry32), so every failing case can be replayed by seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;

/** Every string leaf of a JSON value, with the path to it. */
function leaves(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [];
}

function setAt(root: Json, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

function deleteAt(root: Json, path: (string | number)[]): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete node[last];
}

/**
 * One mutation of a valid bundle: flip a bit of a base64 field's decoded
 * bytes, change a character of a text field, swap a field with another
 * bundle's, drop a field, duplicate a log entry, or damage the JSON itself.
 */
export function mutateBundle(
  bundle: Buffer,
  others: Buffer[],
  rand: () => number,
): { bytes: Buffer; description: string } {
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  const json = JSON.parse(bundle.toString()) as Json;
  const fields = leaves(json);
  const kind = rand();
  if (kind < 0.45) {
    const field = pick(fields.filter((f) => f.value.length > 0));
    const decoded = Buffer.from(field.value, 'base64');
    const isBase64 =
      decoded.length > 4 && decoded.toString('base64').replace(/=+$/, '') === field.value.replace(/=+$/, '');
    if (isBase64) {
      const at = Math.floor(rand() * decoded.length);
      decoded[at]! ^= 1 << Math.floor(rand() * 8);
      setAt(json, field.path, decoded.toString('base64'));
      return { bytes: Buffer.from(JSON.stringify(json)), description: `bit flip in ${field.path.join('.')}[${at}]` };
    }
    const at = Math.floor(rand() * field.value.length);
    const replacement = String.fromCharCode(field.value.charCodeAt(at) ^ 1);
    setAt(json, field.path, field.value.slice(0, at) + replacement + field.value.slice(at + 1));
    return {
      bytes: Buffer.from(JSON.stringify(json)),
      description: `character change in ${field.path.join('.')}[${at}]`,
    };
  }
  if (kind < 0.65 && others.length > 0) {
    const other = JSON.parse(pick(others).toString()) as Json;
    const candidates = leaves(other).filter((f) => fields.some((g) => g.path.join('.') === f.path.join('.')));
    const field = pick(candidates);
    setAt(json, field.path, field.value);
    return {
      bytes: Buffer.from(JSON.stringify(json)),
      description: `swap ${field.path.join('.')} from another bundle`,
    };
  }
  if (kind < 0.78) {
    const targets = [
      ['verificationMaterial', 'tlogEntries', 0, 'inclusionPromise'],
      ['verificationMaterial', 'tlogEntries', 0, 'inclusionProof'],
      ['verificationMaterial', 'tlogEntries'],
      ['verificationMaterial', 'timestampVerificationData'],
      ['messageSignature', 'messageDigest'],
      ['verificationMaterial', 'certificate'],
      ['mediaType'],
    ];
    const target = pick(targets);
    deleteAt(json, target);
    return { bytes: Buffer.from(JSON.stringify(json)), description: `drop ${target.join('.')}` };
  }
  if (kind < 0.86) {
    const entries = (json.verificationMaterial as Json).tlogEntries as unknown[];
    if (entries.length > 0) entries.push(structuredClone(entries[0]));
    return { bytes: Buffer.from(JSON.stringify(json)), description: 'duplicate the log entry' };
  }
  if (kind < 0.93) {
    json.mediaType = pick([
      'application/vnd.dev.sigstore.bundle+json;version=0.1',
      'application/vnd.dev.sigstore.bundle+json;version=0.2',
      'application/json',
      'application/vnd.dev.sigstore.bundle.v0.4+json',
    ]);
    return { bytes: Buffer.from(JSON.stringify(json)), description: `media type ${String(json.mediaType)}` };
  }
  const text = bundle.toString();
  const cut = Math.floor(rand() * text.length);
  return { bytes: Buffer.from(text.slice(0, cut)), description: `truncated at ${cut}` };
}
