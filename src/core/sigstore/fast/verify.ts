import { createPublicKey } from 'node:crypto';
import type { BundleWithMessageSignature, TransparencyLogEntry } from '@sigstore/bundle';
import { loggedCertificateProblem } from '../logged-certificate.ts';
import { parseCertificate, precertTbs, sctList } from './certificate.ts';
import type { Certificate } from './certificate.ts';
import { FastVerificationError, NotFastPath, safeVerify } from './errors.ts';
import { verifyTlogs } from './tlog.ts';
import type { FastLog, FastTrust, IssuerCandidate } from './trust.ts';

/**
 * The fast Sigstore path: the checks of @sigstore/verify for the common
 * bundle, made with node:crypto. The transparency-log checks are in
 * tlog.ts, the certificate reading in certificate.ts.
 */

const HASHES: Record<number, string> = { 0: 'sha256', 1: 'sha256', 2: 'sha384', 3: 'sha512' };
/** protobuf-specs HashAlgorithm: UNSPECIFIED (0) and SHA2_256 (1) both mean SHA-256 to the reference. */
const SHA256_DIGESTS = new Set([0, 1]);

/**
 * Verifies a message-signature bundle over `artifact` with the checks of
 * @sigstore/verify, in its order: timestamps, certificate chain, SCTs,
 * transparency-log entries, signature; then the logged certificate, which
 * the reference path checks after @sigstore/verify too (logged-certificate.ts).
 * Work that does not depend on the bundle (the CA chain up to its anchor) was
 * done once in `trust`.
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
  const bodies = verifyTlogs(
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
  const problem = loggedCertificateProblem(material.tlogEntries, raw, bodies);
  if (problem) throw new FastVerificationError('TLOG_BODY_ERROR', problem);
  return leaf;
}

function tlogTimestamps(entries: TransparencyLogEntry[]): Date[] {
  const seen = new Set<string>();
  const out: Date[] = [];
  for (const entry of entries) {
    if (!entry.inclusionPromise) continue;
    // By value, as the reference compares its Dates: "T" and "0T" are the same second.
    const time = new Date(Number(entry.integratedTime) * 1000);
    const key = `${Buffer.from(entry.logId.keyId).toString('hex')}/${time.getTime()}`;
    if (seen.has(key)) throw new FastVerificationError('TIMESTAMP_ERROR', 'duplicate timestamp');
    seen.add(key);
    out.push(time);
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

/**
 * Every embedded SCT must verify against a CT log valid at its time, and no
 * two may come from the same log (one log must not count twice toward the
 * threshold); returns how many there are.
 */
function verifyScts(leaf: Certificate, issuer: IssuerCandidate, ctlogs: FastLog[]): number {
  const list = sctList(leaf);
  if (!list) return 0;
  const precert = precertTbs(leaf);
  const total = list.readUInt16BE(0) + 2;
  if (total !== list.length)
    throw new FastVerificationError('CERTIFICATE_ERROR', 'SCT list length does not match actual length');
  const logIds: string[] = [];
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
    logIds.push(logId.toString('hex'));
  }
  // After all of them verified, as the reference checks for a repeated log.
  if (new Set(logIds).size !== logIds.length) throw new FastVerificationError('CERTIFICATE_ERROR', 'duplicate SCT');
  return logIds.length;
}

/** TLS HashAlgorithm numbers: 4 = sha256, 5 = sha384, 6 = sha512. */
function hashIndex(tls: number): number {
  return tls === 5 ? 2 : tls === 6 ? 3 : 1;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
