import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.ts';
import type { Delegate, DelegationFact, RevocationFact, SignatureCheck } from '../policy/checks.ts';
import { normalizeFingerprint, parseIdentityPattern } from '../policy/identity.ts';
import { matchesNamePattern, namePatternProblem } from '../policy/name-pattern.ts';
import type { SignatureVerifier } from './verifier.ts';

/**
 * Delegations and their revocations as files (a registry's `delegations/`,
 * the evidence cache): a small canonical JSON document and its signature
 * (a Sigstore bundle or a detached OpenPGP signature over the document's
 * bytes), named by the SHA-256 of the document. The file says nothing that
 * is not signed: the document is read only in its canonical form, and only
 * when its name is its digest.
 */
export const DELEGATION_TYPE = 'aam-delegation/v1';
export const REVOCATION_TYPE = 'aam-delegation-revocation/v1';

export interface DelegationDocument {
  type: typeof DELEGATION_TYPE;
  pattern: string;
  delegate: Delegate;
  until: string;
  issued_at: string;
  /** How many further delegations may hang below this one (0: the delegate may not delegate). */
  max_depth: number;
}

export interface RevocationDocument {
  type: typeof REVOCATION_TYPE;
  /** The `sha256:` id of the delegation revoked. */
  delegation: string;
  reason: string;
  revoked_at: string;
}

export interface SignedDocument {
  document: Buffer;
  signature: { type: 'sigstore' | 'gpg'; bytes: Buffer; publicKey?: string | undefined };
}

export function documentBytes(document: DelegationDocument | RevocationDocument): Buffer {
  return Buffer.from(canonicalJson(document), 'utf8');
}

export function documentId(document: Uint8Array): string {
  return `sha256:${createHash('sha256').update(document).digest('hex')}`;
}

/** The file for a signed document, and the name it goes by (`<digest>.json`). */
export function signedDocumentFile(signed: SignedDocument): { name: string; bytes: Buffer } {
  const text = JSON.stringify(
    {
      document: signed.document.toString('base64'),
      signature: {
        type: signed.signature.type,
        bytes: signed.signature.bytes.toString('base64'),
        ...(signed.signature.publicKey ? { public_key: signed.signature.publicKey } : {}),
      },
    },
    null,
    2,
  );
  return { name: `${documentId(signed.document).slice('sha256:'.length)}.json`, bytes: Buffer.from(`${text}\n`) };
}

/** A file of `delegations/`, read defensively: its name must be its document's digest. */
export function readSignedDocumentFile(name: string, bytes: Uint8Array): SignedDocument | { problem: string } {
  let raw: { document?: unknown; signature?: { type?: unknown; bytes?: unknown; public_key?: unknown } };
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof raw;
  } catch {
    return { problem: 'the file is not JSON' };
  }
  const signature = raw?.signature;
  if (typeof raw?.document !== 'string' || typeof signature?.bytes !== 'string')
    return { problem: 'the file holds no document and signature' };
  if (signature.type !== 'sigstore' && signature.type !== 'gpg')
    return { problem: 'its signature is neither Sigstore nor OpenPGP' };
  const document = Buffer.from(raw.document, 'base64');
  if (`${documentId(document).slice('sha256:'.length)}.json` !== name)
    return { problem: `its name is not the digest of its document (${documentId(document)})` };
  return {
    document,
    signature: {
      type: signature.type,
      bytes: Buffer.from(signature.bytes, 'base64'),
      publicKey: typeof signature.public_key === 'string' ? signature.public_key : undefined,
    },
  };
}

/** A delegation or revocation document, only in its canonical form and with every field well formed. */
export function parseDocument(
  bytes: Uint8Array,
):
  | { kind: 'delegation'; document: DelegationDocument }
  | { kind: 'revocation'; document: RevocationDocument }
  | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
  let parsed: ReturnType<typeof parseDocument>;
  if (value?.type === DELEGATION_TYPE) {
    const document = value as unknown as DelegationDocument;
    if (
      !Object.keys(document).every((k) => DELEGATION_FIELDS.has(k)) ||
      typeof document.pattern !== 'string' ||
      namePatternProblem(document.pattern) ||
      !delegateOk(document.delegate) ||
      !isInstant(document.until) ||
      !isInstant(document.issued_at) ||
      !Number.isSafeInteger(document.max_depth) ||
      document.max_depth < 0 ||
      document.max_depth > 3
    )
      return undefined;
    parsed = { kind: 'delegation', document };
  } else if (value?.type === REVOCATION_TYPE) {
    // Read as leniently as before: a revocation only takes trust away, so refusing one
    // (for a field a newer writer added, or a loosely written date that is only shown)
    // would leave the delegation it ends in force.
    const document = value as unknown as RevocationDocument;
    if (
      typeof document.delegation !== 'string' ||
      !/^sha256:[0-9a-f]{64}$/.test(document.delegation) ||
      typeof document.reason !== 'string' ||
      !time(document.revoked_at)
    )
      return undefined;
    parsed = { kind: 'revocation', document };
  } else return undefined;
  return Buffer.from(bytes).equals(documentBytes(parsed.document)) ? parsed : undefined;
}

/**
 * A delegation grants trust, so a v1 document is read strictly: a field this
 * version does not know (say a narrowing a newer writer added) refuses the
 * document rather than being dropped. No writer adds one: `delegate` writes
 * exactly these, and the real aam writes no delegations at all.
 */
const DELEGATION_FIELDS = new Set(['type', 'pattern', 'delegate', 'until', 'issued_at', 'max_depth']);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 date-time with its zone written out (`Z` or `±hh:mm`; upper-case
 * `T` and `Z`, as every writer writes them): one instant on every machine. A
 * time without a zone is local time, so the same signed bytes would end a
 * delegation at another instant in another time zone; `Date.parse` also takes
 * "1", "January 1, 2027" and February 30, none of which a document may say.
 */
export function isInstant(value: unknown): value is string {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1, 9)
    .map((g) => Number(g ?? 0)) as [number, number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59 &&
    !Number.isNaN(Date.parse(value as string))
  );
}

function delegateOk(delegate: unknown): delegate is Delegate {
  const d = delegate as Record<string, unknown> | null;
  if (!d || typeof d !== 'object') return false;
  if (typeof d.fingerprint === 'string')
    return Object.keys(d).length === 1 && normalizeFingerprint(d.fingerprint) === d.fingerprint;
  return (
    typeof d.identity === 'string' &&
    parseIdentityPattern(d.identity).ok &&
    (d.issuer === undefined || (typeof d.issuer === 'string' && /^https?:\/\/\S+$/.test(d.issuer))) &&
    Object.keys(d).every((k) => k === 'identity' || k === 'issuer')
  );
}

/**
 * Checks signed bytes (a delegation document, a new package signature) with the verifier's trust
 * material; an OpenPGP signature may bring its key, which only says which key signed — trust is
 * still by fingerprint.
 */
export async function verifySignedDocument(
  signed: SignedDocument,
  verifier: SignatureVerifier,
): Promise<SignatureCheck> {
  const { type, bytes, publicKey } = signed.signature;
  const check = await verifier.verify(type, bytes, signed.document);
  // The key a document brings only says which key signed it; trust is still by fingerprint.
  if (check.state === 'invalid' && check.code === 'KEY_UNKNOWN' && type === 'gpg' && publicKey)
    return verifier.verifyWithBroughtKey(bytes, signed.document, publicKey);
  return check;
}

/**
 * A delegation file's signature is checked once per verifier, however many
 * packages it covers: its verdict depends on its bytes and the verifier's
 * trust material, which a verifier keeps for its life (as it keeps its keyrings).
 */
const checked = new WeakMap<SignatureVerifier, Map<string, Promise<SignatureCheck>>>();

function verifyOnce(signed: SignedDocument, verifier: SignatureVerifier, file: Uint8Array): Promise<SignatureCheck> {
  let known = checked.get(verifier);
  if (!known) checked.set(verifier, (known = new Map()));
  const key = createHash('sha256').update(file).digest('hex');
  let check = known.get(key);
  if (!check) known.set(key, (check = verifySignedDocument(signed, verifier)));
  return check;
}

/**
 * What the files of `delegations/` establish for one package: every
 * delegation (those for other packages unchecked, for the refusal's words;
 * none from a file marked `revocationOnly`),
 * each covering one with its signer when its signature verifies, and the
 * verified revocations of those. With `unread` (a folder held more than are
 * read), nothing: no delegation can be trusted, and the checks say why.
 */
export async function checkDelegationFiles(
  files: readonly { name: string; bytes: Uint8Array; revocationOnly?: true }[],
  verifier: SignatureVerifier,
  packageName: string,
  unread?: string,
): Promise<{ delegations: DelegationFact[]; revocations: RevocationFact[]; delegationsUnread?: string }> {
  if (unread) return { delegations: [], revocations: [], delegationsUnread: unread };
  const delegations: DelegationFact[] = [];
  const revocations: { signed: SignedDocument; document: RevocationDocument; id: string; bytes: Uint8Array }[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const signed = readSignedDocumentFile(file.name, file.bytes);
    if ('problem' in signed) continue;
    const id = documentId(signed.document);
    const parsed = parseDocument(signed.document);
    // Another registry's file counts as a revocation only (evidence.ts, otherRegistries).
    if (!parsed || seen.has(id) || (file.revocationOnly && parsed.kind !== 'revocation')) continue;
    seen.add(id);
    if (parsed.kind === 'revocation') {
      revocations.push({ signed, document: parsed.document, id, bytes: file.bytes });
      continue;
    }
    const { document } = parsed;
    const fact: DelegationFact = {
      id,
      pattern: document.pattern,
      delegate: document.delegate,
      until: document.until,
      issuedAt: document.issued_at,
      maxDepth: document.max_depth,
    };
    if (matchesNamePattern(document.pattern, packageName)) {
      const check = await verifyOnce(signed, verifier, file.bytes);
      if (check.state === 'valid') fact.signer = check.signer;
      else fact.problem = check.state === 'invalid' ? check.reason : 'no signature';
    } else fact.problem = 'not checked: it is for other packages';
    delegations.push(fact);
  }
  const covering = new Set(delegations.filter((d) => d.signer).map((d) => d.id));
  const verified: RevocationFact[] = [];
  for (const { signed, document, id, bytes } of revocations) {
    if (!covering.has(document.delegation)) continue;
    const check = await verifyOnce(signed, verifier, bytes);
    if (check.state === 'valid')
      verified.push({
        id,
        delegation: document.delegation,
        signer: check.signer,
        at: document.revoked_at,
        reason: document.reason,
      });
  }
  return { delegations, revocations: verified };
}
