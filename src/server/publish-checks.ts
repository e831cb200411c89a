import { readArchive } from '../core/archive/read.ts';
import { AamError, messageOf } from '../core/errors.ts';
import { armoredKeyring } from '../core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../core/openpgp/verify.ts';
import { parseManifest } from '../core/package/manifest.ts';
import type { Manifest } from '../core/package/manifest.ts';
import type { SignatureCheck } from '../core/policy/decision.ts';
import { recordOf } from '../core/workflows/publish.ts';
import { verifySigstoreBundle } from '../core/sigstore/verify.ts';
import type { TrustRootSource } from '../core/sigstore/trusted-root.ts';
import { ApiFailure } from './errors.ts';
import { unstorableString } from './schema-formats.ts';
import { STRICT_VERSION } from './schemas.ts';

/** What a publish carries once its parts are read: the archive, and maybe its signature. */
export interface Upload {
  archive: Buffer;
  signature?: Buffer;
  signatureType?: string;
  publicKey?: string;
  /** The popular package the publisher confirms this new name is not meant to pass for (§9.4). */
  confirmName?: string;
}

export interface SignedUpload {
  type: 'sigstore' | 'gpg';
  bytes: Buffer;
  record: Record<string, unknown>;
  publicKey?: string | undefined;
}

/** The archive's manifest, or why it is refused (spec §3.3.5: invalid_archive, invalid_manifest). */
export async function manifestOf(archive: Buffer): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = parseManifest((await readArchive(archive)).manifestText, 'aam.yaml in the archive');
  } catch (error) {
    const code =
      error instanceof AamError && error.code === 'MANIFEST_INVALID' ? 'invalid_manifest' : 'invalid_archive';
    throw new ApiFailure(400, code, messageOf(error));
  }
  const problems = storableProblems(manifest);
  if (problems.length > 0)
    throw new ApiFailure(
      400,
      'invalid_manifest',
      `aam.yaml in the archive cannot be published here: ${problems.map((p) => `${p.field} ${p.error}`).join('; ')}.`,
      problems,
    );
  return manifest;
}

/**
 * What the manifest parser accepts but this registry would store ambiguously
 * or not at all: a version that is not exactly SemVer (so its precedence is
 * not one thing), values longer than their columns, and lists that name one
 * thing twice (the database would keep one and drop the other).
 */
function storableProblems(m: Manifest): { field: string; error: string }[] {
  const problems: { field: string; error: string }[] = [];
  const longer = (field: string, value: string | undefined, max: number) => {
    if (value !== undefined && value.length > max) problems.push({ field, error: `is longer than ${max} characters` });
  };
  if (!STRICT_VERSION.test(m.version))
    problems.push({ field: 'version', error: `"${m.version}" is not a SemVer 2.0.0 version` });
  longer('version', m.version, 64);
  longer('author', m.author, 255);
  longer('license', m.license, 64);
  longer('repository', m.repository, 512);
  const keywords = new Map<string, string>();
  for (const keyword of m.keywords) {
    longer(`keywords "${keyword.slice(0, 20)}…"`, keyword, 64);
    const key = keyword.toLowerCase();
    if (keywords.has(key))
      problems.push({
        field: 'keywords',
        error: `name "${keywords.get(key)}" and "${keyword}", which are one keyword`,
      });
    keywords.set(key, keyword);
  }
  for (const [dep, constraint] of Object.entries(m.dependencies)) longer(`dependencies.${dep}`, constraint, 64);
  for (const [kind, list] of Object.entries(m.artifacts)) {
    const seen = new Set<string>();
    for (const artifact of list) {
      if (seen.has(artifact.name))
        problems.push({ field: `artifacts.${kind}`, error: `name "${artifact.name}" twice` });
      seen.add(artifact.name);
    }
  }
  withNul(m, 'manifest', problems);
  return problems;
}

/** Every text of the manifest holding a NUL, which PostgreSQL's text cannot store (the insert would fail). */
function withNul(value: unknown, field: string, problems: { field: string; error: string }[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) problems.push({ field, error: 'holds a NUL character' });
  } else if (Array.isArray(value)) value.forEach((item, i) => withNul(item, `${field}[${i}]`, problems));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value))
      withNul(item, field === 'manifest' ? key : `${field}.${key}`, problems);
}

/** The upload's signature, verified over the uploaded archive; one that does not verify is refused with why. */
export async function checkSignature(root: TrustRootSource, upload: Upload): Promise<SignedUpload | undefined> {
  const { signature: bytes, signatureType: type, archive } = upload;
  if (!bytes) {
    if (type) throw new ApiFailure(400, 'bad_request', 'signature_type was given without a signature.');
    if (upload.publicKey) throw new ApiFailure(400, 'bad_request', 'public_key was given without a signature.');
    return undefined;
  }
  if (type !== 'sigstore' && type !== 'gpg')
    throw new ApiFailure(400, 'bad_request', 'signature_type must be "sigstore" or "gpg".');
  if (type === 'sigstore' && upload.publicKey)
    throw new ApiFailure(400, 'bad_request', 'A Sigstore bundle carries its own certificate: public_key is for GPG.');
  if (type === 'gpg' && !upload.publicKey)
    throw new ApiFailure(
      400,
      'signature_invalid',
      'A GPG signature needs its public key (the "public_key" field) to be checked.',
    );
  const check = await checkUploadedSignature(type, bytes, archive, upload.publicKey, root);
  if (check.state !== 'valid')
    throw new ApiFailure(
      400,
      'signature_invalid',
      `The signature does not verify over the uploaded archive: ${check.state === 'invalid' ? check.reason : 'no signature'}.`,
    );
  return { type, bytes, record: recordOf(check) as Record<string, unknown>, publicKey: upload.publicKey };
}

/**
 * A signature a client uploaded over a document (an archive, a delegation or
 * revocation, an approval): a Sigstore bundle against the registry's trusted
 * root, logged; an OpenPGP signature against the key the upload brings, which
 * proves only who signed — whether that signer may is the caller's to decide.
 */
export async function checkUploadedSignature(
  type: 'sigstore' | 'gpg',
  signature: Buffer,
  document: Buffer,
  publicKey: string | undefined,
  root: TrustRootSource,
): Promise<SignatureCheck> {
  if (type === 'sigstore') return verifySigstoreBundle(signature, document, { root, requireTlog: true });
  if (!publicKey)
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'KEY_UNKNOWN',
      reason: 'an OpenPGP signature must bring its public key (the "public_key" field)',
    };
  return verifyDetachedSignature(document, signature, armoredKeyring(publicKey));
}

/**
 * One text field of a multipart upload, into `fields`: refused when the upload
 * should not have it, sends it twice, or sends more than its limit allows.
 */
export function takeField<K extends string>(
  limits: Readonly<Record<K, number>>,
  fields: Partial<Record<K, string>>,
  name: string,
  part: { value: unknown; valueTruncated: boolean },
): void {
  const limit = limits[name as K];
  if (limit === undefined) throw new ApiFailure(400, 'bad_request', `The upload has an unexpected field "${name}".`);
  if (fields[name as K] !== undefined) throw new ApiFailure(400, 'bad_request', `The field "${name}" was sent twice.`);
  const value = String(part.value);
  if (part.valueTruncated || value.length > limit)
    throw new ApiFailure(413, 'too_large', `The field "${name}" is longer than ${limit} characters.`);
  if (unstorableString(value) !== undefined)
    throw new ApiFailure(400, 'bad_request', `The field "${name}" holds a NUL character or a lone surrogate.`);
  fields[name as K] = value;
}
