import { AamError } from '../errors.ts';
import { READ_LIMITS } from '../fs/safe-read.ts';
import { API_PREFIX, signatureFileOf, signatureRecordOf, versionPath } from './http-api.ts';
import type { ApiSignature, ApiVersion } from './http-api.ts';
import { MAX_SIGNATURES, signatureFileName } from './layout.ts';
import { MAX_DELEGATION_FILES } from './local-signatures.ts';
import type { SignatureRecord } from './metadata.ts';
import type { SignatureToStore, StoredSignature } from './registry.ts';

/** What the helpers below need of an HTTP registry client (HttpRegistry). */
export interface HttpTransport {
  readonly name: string;
  readonly url: string;
  getJson(path: string, notFound?: boolean): Promise<unknown>;
  getBytes(path: string, limit: number, what: string): Promise<Buffer | undefined>;
  write(path: string, method: 'POST' | 'PUT', body: FormData | string, what: string): Promise<unknown>;
}

/**
 * Every signature a version carries, in the order the registry lists them,
 * each read from its own URL (which must be a path of this version in the
 * API: a registry cannot send the client elsewhere) and named as in a
 * registry folder.
 */
export async function readHttpSignatures(
  registry: HttpTransport,
  name: string,
  version: string,
): Promise<StoredSignature[]> {
  const base = versionPath(name, version);
  const body = (await registry.getJson(base, true)) as Partial<ApiVersion> | undefined;
  const listed = (Array.isArray(body?.signatures) ? body.signatures : []).slice(0, MAX_SIGNATURES);
  const found: StoredSignature[] = [];
  const count = { sigstore: 0, gpg: 0 };
  for (const signature of listed) {
    if (signature?.type !== 'sigstore' && signature?.type !== 'gpg') continue;
    const n = ++count[signature.type];
    const path = signaturePathOf(signature, base, n);
    const file = signatureFileOf(signature, version, n);
    if (!path || found.some((f) => f.file === file)) continue;
    const bytes = await registry.getBytes(
      path,
      READ_LIMITS.signature,
      `the ${signature.type} signature of ${name}@${version}`,
    );
    if (bytes) found.push({ type: signature.type, file, path: registry.url + path, bytes });
  }
  return found;
}

/** Where a listed signature's bytes are: its `url` when it is one of this version's, else the first-of-kind path. */
function signaturePathOf(signature: Partial<ApiSignature>, base: string, n: number): string | undefined {
  if (typeof signature.url === 'string') {
    const ok = signature.url.startsWith(`${base}/signature/`) || signature.url.startsWith(`${base}/signatures/`);
    return ok && !signature.url.includes('..') && !signature.url.includes('?') ? signature.url : undefined;
  }
  return n === 1 ? `${base}/signature/${signature.type}` : undefined;
}

/** POST …/{version}/signatures: the registry verifies the signature over the stored archive before keeping it. */
export async function addHttpSignature(
  registry: HttpTransport,
  name: string,
  version: string,
  signature: SignatureToStore,
): Promise<SignatureRecord> {
  const form = new FormData();
  form.append('signature', new Blob([new Uint8Array(signature.bytes)]), signatureFileName(version, signature.type));
  form.append('signature_type', signature.type);
  if (signature.publicKey) form.append('public_key', signature.publicKey);
  const added = (await registry.write(
    `${versionPath(name, version)}/signatures`,
    'POST',
    form,
    `Adding a signature on registry "${registry.name}"`,
  )) as Partial<ApiSignature>;
  const record = signatureRecordOf(added, version, 1);
  if (!record)
    throw new AamError(
      'REGISTRY_ERROR',
      `Registry "${registry.name}" answered the new signature of ${name}@${version} with something else.`,
    );
  return record;
}

/** GET /api/v1/delegations: the signed delegations and revocations the registry keeps (one more than are read when there are more). */
export async function readHttpDelegations(registry: HttpTransport): Promise<{ name: string; bytes: Buffer }[]> {
  const body = (await registry.getJson(`${API_PREFIX}/delegations`, true)) as
    { delegations?: { name?: unknown; file?: unknown }[] } | undefined;
  return (Array.isArray(body?.delegations) ? body.delegations : [])
    .flatMap((d) =>
      typeof d?.name === 'string' && /^[0-9a-f]{64}\.json$/.test(d.name) && typeof d.file === 'string'
        ? [{ name: d.name, bytes: Buffer.from(d.file, 'base64') }]
        : [],
    )
    .slice(0, MAX_DELEGATION_FILES + 1);
}

export async function addHttpDelegation(registry: HttpTransport, file: { name: string; bytes: Buffer }): Promise<void> {
  await registry.write(
    `${API_PREFIX}/delegations`,
    'POST',
    JSON.stringify({ name: file.name, file: file.bytes.toString('base64') }),
    `Storing a delegation on registry "${registry.name}"`,
  );
}
