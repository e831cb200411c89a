import { createHash } from 'node:crypto';
import { readRegularFile } from '../fs/safe-read.ts';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import type { TrustMaterial } from '@sigstore/verify';
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { AamError, messageOf } from '../errors.ts';
import { buildFastTrust } from './fast/trust.ts';
import type { FastTrust } from './fast/trust.ts';

/** A trusted_root.json document, with its digest and where it came from. */
export interface TrustRootSource {
  json: Record<string, unknown>;
  digest: string;
  origin: string;
}

export const PUBLIC_GOOD = 'Sigstore public-good (shipped with AAM Trust)';

/** The production public-good root, embedded in @sigstore/tuf: works offline. */
export function publicGoodRoot(): TrustRootSource {
  const repo = (seeds as Record<string, { targets: Record<string, string> }>)['https://tuf-repo-cdn.sigstore.dev']!;
  const text = Buffer.from(repo.targets['trusted_root.json']!, 'base64').toString('utf8');
  return fromText(text, PUBLIC_GOOD);
}

/** The root at `path` (sigstore_trusted_root), or the public-good root. */
export async function loadTrustRoot(path: string | undefined): Promise<TrustRootSource> {
  if (!path) return publicGoodRoot();
  let text: string;
  try {
    const bytes = await readRegularFile(path, 'trusted-root');
    if (!bytes) throw new Error('no such file');
    text = bytes.toString('utf8');
  } catch (error) {
    throw new AamError('TRUST_ROOT_INVALID', `Cannot read the Sigstore trusted root ${path}: ${messageOf(error)}.`, {
      hint: 'Fix sigstore_trusted_root, or remove it to use the public-good root.',
      cause: error,
    });
  }
  return fromText(text, path);
}

export function fromText(text: string, origin: string): TrustRootSource {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new AamError('TRUST_ROOT_INVALID', `${origin} is not JSON.`, { cause: error });
  }
  if (typeof json.mediaType !== 'string' || !json.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new AamError(
      'TRUST_ROOT_INVALID',
      `${origin} is not a Sigstore trusted root (mediaType ${String(json.mediaType)}).`,
    );
  }
  const malformed = missingValidityStart(json);
  if (malformed) {
    throw new AamError(
      'TRUST_ROOT_INVALID',
      `${origin} is not a valid Sigstore trusted root: ${malformed} has no start of validity.`,
      {
        hint: 'Every key and authority in a trusted root says from when it is trusted; a missing start is never read as "always".',
      },
    );
  }
  return { json, digest: `sha256:${createHash('sha256').update(text).digest('hex')}`, origin };
}

/**
 * The first key or authority without a valid `validFor.start`, if any. The
 * protobuf-specs make the start required; a root without one is malformed,
 * and reading the gap as "since forever" would trust it for any time.
 */
function missingValidityStart(json: Record<string, unknown>): string | undefined {
  const started = (validFor: unknown) => {
    const start = (validFor as { start?: unknown } | undefined)?.start;
    return typeof start === 'string' && !Number.isNaN(Date.parse(start));
  };
  const list = (key: string) => (Array.isArray(json[key]) ? (json[key] as Record<string, unknown>[]) : []);
  for (const [key, label] of [
    ['tlogs', 'transparency log'],
    ['ctlogs', 'certificate transparency log'],
  ] as const) {
    for (const [i, log] of list(key).entries()) {
      if (!started((log?.publicKey as { validFor?: unknown } | undefined)?.validFor))
        return `${label} ${i + 1} (${String(log?.baseUrl ?? 'no URL')})`;
    }
  }
  for (const [key, label] of [
    ['certificateAuthorities', 'certificate authority'],
    ['timestampAuthorities', 'timestamp authority'],
  ] as const) {
    for (const [i, authority] of list(key).entries()) {
      if (!started(authority?.validFor)) return `${label} ${i + 1} (${String(authority?.uri ?? 'no URI')})`;
    }
  }
  return undefined;
}

const materials = new Map<string, TrustMaterial>();

/** Trust material for a root, built once per root: building it costs more than a verification. */
export function trustMaterialOf(root: TrustRootSource): TrustMaterial {
  let material = materials.get(root.digest);
  if (!material) {
    try {
      material = toTrustMaterial(TrustedRoot.fromJSON(root.json));
    } catch (error) {
      throw new AamError('TRUST_ROOT_INVALID', `${root.origin} cannot be used: ${messageOf(error)}.`, { cause: error });
    }
    materials.set(root.digest, material);
  }
  return material;
}

/** The base URL of the transparency log with `logId` (base64), as the root names it. */
export function tlogUrlOf(root: TrustRootSource, logId: string): string | undefined {
  const tlogs = (root.json.tlogs ?? []) as { baseUrl?: string; logId?: { keyId?: string } }[];
  return tlogs.find((t) => t.logId?.keyId === logId)?.baseUrl;
}

const fastTrusts = new Map<string, FastTrust>();

/** The lean verifier's trust material for a root, built (and its CA chains checked) once. */
export function fastTrustOf(root: TrustRootSource): FastTrust {
  let trust = fastTrusts.get(root.digest);
  if (!trust) {
    try {
      trust = buildFastTrust(root.json);
    } catch (error) {
      throw new AamError('TRUST_ROOT_INVALID', `${root.origin} cannot be used: ${messageOf(error)}.`, { cause: error });
    }
    fastTrusts.set(root.digest, trust);
  }
  return trust;
}
