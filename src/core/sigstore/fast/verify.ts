import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { BundleWithMessageSignature, TransparencyLogEntry } from '@sigstore/bundle';
import { parseCertificate, precertTbs, sctList } from './certificate.ts';
import type { Certificate } from './certificate.ts';
import type { FastLog, FastTrust, IssuerCandidate } from './trust.ts';

/** Thrown with the same codes as @sigstore/verify's VerificationError, so callers classify both alike. */
export class FastVerificationError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The bundle uses something this verifier leaves to the reference one (DSSE, Rekor v2, RFC 3161 stamps…). */
export class NotFastPath extends Error {}

const HASHES: Record<number, string> = { 0: 'sha256', 1: 'sha256', 2: 'sha384', 3: 'sha512' };
/** protobuf-specs HashAlgorithm: UNSPECIFIED (0) and SHA2_256 (1) both mean SHA-256 to the reference. */
const SHA256_DIGESTS = new Set([0, 1]);

/**
 * Verifies a message-signature bundle over `artifact` with the checks of
 * @sigstore/verify, in its order: timestamps, certificate chain, SCTs,
 * transparency-log entries, signature. Work that does not depend on the
 * bundle (the CA chain up to its anchor) was done once in `trust`.
 * Returns the signing certificate.
 */
export function fastVerify(
  bundle: BundleWithMessageSignature,
  artifact: Buffer,
  trust: FastTrust,
  options: { tlogThreshold: number },
): Certificate {
  const material = bundle.verificationMaterial;
  if (material.timestampVerificationData?.rfc3161Timestamps.length) throw new NotFastPath('RFC 3161 timestamps');
  const content = material.content;
  const raw =
    content.$case === 'certificate'
      ? content.certificate.rawBytes
      : content.$case === 'x509CertificateChain'
        ? content.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (!raw) throw new NotFastPath('no certificate');
  for (const entry of material.tlogEntries) {
    if (entry.kindVersion?.kind !== 'hashedrekord' || entry.kindVersion.version !== '0.0.1')
      throw new NotFastPath(`tlog entry ${entry.kindVersion?.kind}/${entry.kindVersion?.version}`);
  }
  let leaf: Certificate;
  try {
    leaf = parseCertificate(Buffer.from(raw));
  } catch {
    throw new NotFastPath('certificate outside the strict DER subset');
  }
  const { messageDigest, signature } = bundle.content.messageSignature;
  if (!SHA256_DIGESTS.has(messageDigest.algorithm))
    throw new NotFastPath(`message digest algorithm ${messageDigest.algorithm}`);
  const timestamps = tlogTimestamps(material.tlogEntries);
  if (timestamps.length < 1)
    throw new FastVerificationError('TIMESTAMP_ERROR', `expected 1 timestamps, got ${timestamps.length}`);
  let issuer: IssuerCandidate | undefined;
  for (const timestamp of timestamps) issuer = verifyChain(leaf, timestamp, trust);
  const scts = verifyScts(leaf, issuer!, trust.ctlogs);
  if (scts < 1) throw new FastVerificationError('CERTIFICATE_ERROR', `expected 1 SCTs, got ${scts}`);
  verifyTlogs(
    material.tlogEntries,
    trust.tlogs,
    Buffer.from(signature),
    Buffer.from(messageDigest.digest),
    options.tlogThreshold,
  );
  const key = createPublicKey({ key: leaf.spki, format: 'der', type: 'spki' });
  if (!safeVerify('sha256', artifact, key, Buffer.from(signature))) {
    throw new FastVerificationError('SIGNATURE_ERROR', 'signature verification failed');
  }
  return leaf;
}

function tlogTimestamps(entries: TransparencyLogEntry[]): Date[] {
  const seen = new Set<string>();
  const out: Date[] = [];
  for (const entry of entries) {
    if (!entry.inclusionPromise) continue;
    const key = `${Buffer.from(entry.logId.keyId).toString('hex')}/${entry.integratedTime}`;
    if (seen.has(key)) throw new FastVerificationError('TIMESTAMP_ERROR', 'duplicate timestamp');
    seen.add(key);
    out.push(new Date(Number(entry.integratedTime) * 1000));
  }
  return out;
}

/** The leaf's issuer in a CA valid at `timestamp`, with every rule of the reference's chain check. */
function verifyChain(leaf: Certificate, timestamp: Date, trust: FastTrust): IssuerCandidate {
  const cas = trust.cas.filter((ca) => ca.start <= timestamp && ca.end >= timestamp);
  let best: { issuer: IssuerCandidate; path: Certificate[] } | undefined;
  for (const ca of cas) {
    for (const candidate of ca.candidates) {
      const byKeyId = leaf.aki !== undefined && candidate.cert.ski !== undefined;
      const named = byKeyId ? candidate.cert.ski!.equals(leaf.aki!) : candidate.cert.subject.equals(leaf.issuer);
      if (!named || (best && best.path.length <= candidate.path.length + 1)) continue;
      if (
        !safeVerify(
          leaf.signatureDigest ?? null,
          leaf.der.subarray(leaf.tbs.start, leaf.tbs.end),
          candidate.key,
          leaf.signature,
        )
      )
        continue;
      best = { issuer: candidate, path: [leaf, ...candidate.path] };
    }
  }
  if (!best) throw new FastVerificationError('CERTIFICATE_ERROR', 'Failed to verify certificate chain');
  const path = best.path;
  if (!path.slice(1).every((cert) => cert.isCA))
    throw new FastVerificationError('CERTIFICATE_ERROR', 'intermediate certificate is not a CA');
  for (let i = path.length - 2; i >= 0; i--) {
    if (!path[i]!.issuer.equals(path[i + 1]!.subject))
      throw new FastVerificationError('CERTIFICATE_ERROR', 'incorrect certificate name chaining');
  }
  path.forEach((cert, i) => {
    if (cert.basicConstraintsCA && cert.pathLength !== undefined && cert.pathLength < i - 1)
      throw new FastVerificationError('CERTIFICATE_ERROR', 'path length constraint exceeded');
  });
  if (!path.every((cert) => cert.notBefore <= timestamp && timestamp <= cert.notAfter)) {
    throw new FastVerificationError('CERTIFICATE_ERROR', 'certificate is not valid or expired at the specified date');
  }
  return best.issuer;
}

/** Every embedded SCT must verify against a CT log valid at its time; returns how many there are. */
function verifyScts(leaf: Certificate, issuer: IssuerCandidate, ctlogs: FastLog[]): number {
  const list = sctList(leaf);
  if (!list) return 0;
  const precert = precertTbs(leaf);
  const total = list.readUInt16BE(0) + 2;
  if (total !== list.length)
    throw new FastVerificationError('CERTIFICATE_ERROR', 'SCT list length does not match actual length');
  let count = 0;
  for (let offset = 2; offset < total;) {
    const length = list.readUInt16BE(offset);
    const sct = list.subarray(offset + 2, offset + 2 + length);
    if (sct.length !== length) throw new FastVerificationError('CERTIFICATE_ERROR', 'request past end of buffer');
    offset += 2 + length;
    const version = sct[0]!;
    const logId = sct.subarray(1, 33);
    const timestamp = sct.subarray(33, 41);
    const extensionsLength = sct.readUInt16BE(41);
    const extensions = sct.subarray(43, 43 + extensionsLength);
    const signatureOffset = 43 + extensionsLength + 2;
    const signatureLength = sct.readUInt16BE(signatureOffset);
    const signature = sct.subarray(signatureOffset + 2, signatureOffset + 2 + signatureLength);
    if (signatureOffset + 2 + signatureLength !== sct.length)
      throw new FastVerificationError('CERTIFICATE_ERROR', 'SCT buffer length mismatch');
    const time = new Date(Number(timestamp.readBigUInt64BE(0)));
    const signed = Buffer.concat([
      Buffer.from([version, 0]),
      timestamp,
      Buffer.from([0, 1]),
      issuer.keyHash,
      u24(precert.length),
      precert,
      u16(extensions.length),
      extensions,
    ]);
    const logs = ctlogs.filter((log) => log.logId.equals(logId) && log.start <= time && time <= log.end);
    if (
      !logs.some((log) =>
        safeVerify(HASHES[hashIndex(sct[signatureOffset - 2]!)] ?? 'sha256', signed, log.key, signature),
      )
    ) {
      throw new FastVerificationError('CERTIFICATE_ERROR', 'SCT verification failed');
    }
    count++;
  }
  return count;
}

/** TLS HashAlgorithm numbers: 4 = sha256, 5 = sha384, 6 = sha512. */
function hashIndex(tls: number): number {
  return tls === 5 ? 2 : tls === 6 ? 3 : 1;
}

function verifyTlogs(
  entries: TransparencyLogEntry[],
  tlogs: FastLog[],
  signature: Buffer,
  digest: Buffer,
  threshold: number,
): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    verifyInclusion(entry, tlogs);
    verifyBody(entry, signature, digest);
    const id = `${Buffer.from(entry.logId.keyId).toString('hex')}:${Buffer.from(entry.canonicalizedBody).toString('base64')}`;
    if (seen.has(id)) throw new FastVerificationError('TLOG_ERROR', 'duplicate tlog entry');
    seen.add(id);
  }
  if (seen.size < threshold)
    throw new FastVerificationError('TLOG_ERROR', `expected ${threshold} tlog entries, got ${seen.size}`);
}

function verifyInclusion(entry: TransparencyLogEntry, tlogs: FastLog[]): void {
  const logId = Buffer.from(entry.logId.keyId);
  let verified = false;
  if (entry.inclusionPromise) {
    const integrated = new Date(Number(entry.integratedTime) * 1000);
    const payload = `{"body":"${Buffer.from(entry.canonicalizedBody).toString('base64')}","integratedTime":${Number(entry.integratedTime)},"logID":"${logId.toString('hex')}","logIndex":${Number(entry.logIndex)}}`;
    const set = Buffer.from(entry.inclusionPromise.signedEntryTimestamp);
    const ok = tlogs
      .filter((t) => t.logId.equals(logId) && t.start <= integrated && integrated <= t.end)
      .some((t) => safeVerify(null, Buffer.from(payload), t.key, set));
    if (!ok) throw new FastVerificationError('TLOG_INCLUSION_PROMISE_ERROR', 'inclusion promise could not be verified');
    verified = true;
  }
  if (entry.inclusionProof) {
    const root = verifyCheckpoint(
      entry.inclusionProof.checkpoint?.envelope ?? '',
      tlogs.filter((t) => t.logId.equals(logId)),
    );
    verifyMerkle(entry, root);
    verified = true;
  }
  if (!verified) throw new FastVerificationError('TLOG_MISSING_INCLUSION_ERROR', 'inclusion could not be verified');
}

/** Verifies the signed note of a checkpoint and returns its tree size and root hash. */
function verifyCheckpoint(envelope: string, tlogs: FastLog[]): { size: bigint; hash: Buffer } {
  const fail = (message: string) => new FastVerificationError('TLOG_INCLUSION_PROOF_ERROR', message);
  const split = envelope.indexOf('\n\n');
  if (split < 0) throw fail('missing checkpoint separator');
  const note = envelope.slice(0, split + 1);
  const signatures = [...envelope.slice(split + 2).matchAll(/\u2014 (\S+) (\S+)\n/g)].map(([, name, sig]) => {
    const bytes = Buffer.from(sig!, 'base64');
    if (bytes.length < 5) throw fail('malformed checkpoint signature');
    return { name: name!, hint: bytes.subarray(0, 4), signature: bytes.subarray(4) };
  });
  if (signatures.length === 0) throw fail('no signatures found in checkpoint');
  const lines = note.trimEnd().split('\n');
  if (lines.length < 3) throw fail('too few lines in checkpoint header');
  let size: bigint;
  try {
    size = BigInt(lines[1]!);
  } catch {
    throw fail('invalid checkpoint log size');
  }
  const data = Buffer.from(note, 'utf8');
  const ok = signatures.some((s) => {
    const log = tlogs.find((t) => t.logId.subarray(0, 4).equals(s.hint) && t.baseUrl.includes(s.name));
    return log ? safeVerify(null, data, log.key, s.signature) : false;
  });
  if (!ok) throw fail('invalid checkpoint signature');
  return { size, hash: Buffer.from(lines[2]!, 'base64') };
}

/** RFC 6962 / 9162 inclusion proof, as the reference computes it. */
function verifyMerkle(entry: TransparencyLogEntry, root: { size: bigint; hash: Buffer }): void {
  const proof = entry.inclusionProof!;
  const fail = (message: string) => new FastVerificationError('TLOG_INCLUSION_PROOF_ERROR', message);
  let index: bigint;
  try {
    index = BigInt(proof.logIndex);
  } catch {
    throw fail('invalid inclusion proof log index');
  }
  if (index < 0n || index >= root.size) throw fail(`invalid index: ${index}`);
  const inner = bitLength(index ^ (root.size - 1n));
  const border = (index >> BigInt(inner)).toString(2).split('1').length - 1;
  if (proof.hashes.length !== inner + border) throw fail('invalid hash count');
  const node = (left: Uint8Array, right: Uint8Array) =>
    createHash('sha256')
      .update(Buffer.from([1]))
      .update(left)
      .update(right)
      .digest();
  let hash: Buffer = createHash('sha256')
    .update(Buffer.from([0]))
    .update(entry.canonicalizedBody)
    .digest();
  proof.hashes.slice(0, inner).forEach((h, i) => {
    hash = (index >> BigInt(i)) & 1n ? node(h, hash) : node(hash, h);
  });
  for (const h of proof.hashes.slice(inner)) hash = node(h, hash);
  if (!hash.equals(root.hash)) throw fail('calculated root hash does not match inclusion proof');
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

function verifyBody(entry: TransparencyLogEntry, signature: Buffer, digest: Buffer): void {
  const fail = (message: string) => new FastVerificationError('TLOG_BODY_ERROR', message);
  let body: {
    kind?: string;
    apiVersion?: string;
    spec?: { signature?: { content?: string }; data?: { hash?: { value?: string } } };
  };
  try {
    body = JSON.parse(Buffer.from(entry.canonicalizedBody).toString('utf8'));
  } catch {
    throw fail('invalid canonicalized body');
  }
  if (entry.kindVersion.kind !== body.kind || entry.kindVersion.version !== body.apiVersion)
    throw fail('kind/version mismatch');
  if (!Buffer.from(body.spec?.signature?.content ?? '', 'base64').equals(signature)) throw fail('signature mismatch');
  if (!Buffer.from(body.spec?.data?.hash?.value ?? '', 'hex').equals(digest)) throw fail('digest mismatch');
}

function safeVerify(algorithm: string | null, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
