/**
 * The floor's Sigstore checks, with node:crypto alone: the leaf certificate's
 * signature (its CA) and validity at the log's time, its SCT, the log's signed
 * entry timestamp and checkpoint, the Merkle inclusion path, the log entry's
 * body against the bundle's signature and digest, the signer's identity
 * against the trusted identities and the trust record, and the signature over
 * the archive.
 *
 * `sigstoreOperands` reads a bundle (JSON.parse, base64, the fast path's
 * strict DER reader for the certificate) into what the checks need: the
 * prepared floor calls it before its clock, the reading floor in its pass.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parseCertificate, precertTbs, sctList, subjectAltNames } from '../../src/core/sigstore/fast/certificate.ts';
import type { FastTrust } from '../../src/core/sigstore/fast/trust.ts';

interface Check {
  algorithm: string | null;
  data: Buffer;
  key: KeyObject;
  signature: Buffer;
}

/** Buffers arrive in a thread as Uint8Arrays (structured clone): compared with Buffer.compare, never `.equals`. */
export interface SigstoreOperands {
  checks: Check[];
  /** The leaf key (DER), turned into a key object in the timed part: every verifier has to. */
  leafSpki: Buffer;
  messageSignature: Buffer;
  messageDigest: Buffer;
  /** What the log entry's body says was signed: it must be the bundle's signature and digest. */
  body: { kind: string; signature: Buffer; digest: Buffer };
  merkle: { leaf: Buffer; hashes: Buffer[]; index: bigint; inner: number; root: Buffer };
  /** The certificate's validity and the log's time (ms). */
  validity: { notBefore: number; notAfter: number; integrated: number };
  identity: string;
}

/** What the identity must be: one of the trusted patterns, and the signer the trust record names (if any). */
export interface SigstoreTrustees {
  trusted: RegExp;
  recorded: string | undefined;
}

/** The parts of a bundle's JSON (protobuf-specs' JSON form: bytes in base64, 64-bit numbers as strings) the checks read. */
export interface BundleJson {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    tlogEntries: {
      logIndex: string;
      logId: { keyId: string };
      integratedTime: string;
      inclusionPromise: { signedEntryTimestamp: string };
      inclusionProof: { logIndex?: string; hashes?: string[]; checkpoint: { envelope: string } };
      canonicalizedBody: string;
    }[];
  };
  messageSignature: { messageDigest: { digest: string }; signature: string };
}
interface BodyJson {
  kind?: string;
  apiVersion?: string;
  spec?: { signature?: { content?: string }; data?: { hash?: { value?: string } } };
}
const b64 = (value: unknown) => Buffer.from(String(value), 'base64');

/** A bundle's JSON (as parsed from its file) into the operands of its checks; throws when it is not the common shape. */
export function sigstoreOperands(bundle: BundleJson, trust: FastTrust): SigstoreOperands {
  const material = bundle.verificationMaterial;
  const raw = material.certificate?.rawBytes ?? material.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (!raw) throw new Error('floor: the bundle has no certificate');
  const leaf = parseCertificate(b64(raw));
  const issuer = trust.cas.flatMap((ca) => ca.candidates).find((c) => c.cert.ski?.equals(leaf.aki ?? Buffer.alloc(0)));
  if (!issuer) throw new Error('floor: no trusted CA issued the certificate');
  const checks: Check[] = [
    {
      algorithm: leaf.signatureDigest ?? null,
      data: leaf.der.subarray(leaf.tbs.start, leaf.tbs.end),
      key: issuer.key,
      signature: leaf.signature,
    },
  ];
  // The SCT (one, as Fulcio embeds it): RFC 6962 §3.2's signed structure over the precertificate.
  const list = sctList(leaf)!;
  const sct = list.subarray(4, 4 + list.readUInt16BE(2));
  const extensionsLength = sct.readUInt16BE(41);
  const signatureOffset = 43 + extensionsLength + 2;
  const precert = precertTbs(leaf);
  const u24 = Buffer.from([precert.length >> 16, (precert.length >> 8) & 0xff, precert.length & 0xff]);
  const signed = Buffer.concat([
    Buffer.from([sct[0]!, 0]),
    sct.subarray(33, 41),
    Buffer.from([0, 1]),
    issuer.keyHash,
    u24,
    precert,
    sct.subarray(41, 43 + extensionsLength),
  ]);
  const ctlog = trust.ctlogs.find((l) => l.logId.equals(sct.subarray(1, 33)))!;
  checks.push({
    algorithm: 'sha256',
    data: signed,
    key: ctlog.key,
    signature: sct.subarray(signatureOffset + 2, signatureOffset + 2 + sct.readUInt16BE(signatureOffset)),
  });
  const tlogEntry = material.tlogEntries[0]!;
  const logId = b64(tlogEntry.logId.keyId);
  const tlog = trust.tlogs.find((l) => l.logId.equals(logId))!;
  const canonicalizedBody = b64(tlogEntry.canonicalizedBody);
  const payload = `{"body":"${canonicalizedBody.toString('base64')}","integratedTime":${Number(tlogEntry.integratedTime)},"logID":"${logId.toString('hex')}","logIndex":${Number(tlogEntry.logIndex)}}`;
  checks.push({
    algorithm: null,
    data: Buffer.from(payload),
    key: tlog.key,
    signature: b64(tlogEntry.inclusionPromise.signedEntryTimestamp),
  });
  const envelope = tlogEntry.inclusionProof.checkpoint.envelope;
  const split = envelope.indexOf('\n\n');
  const note = envelope.slice(0, split + 1);
  const noteSignature = Buffer.from(/\u2014 \S+ (\S+)\n/.exec(envelope.slice(split + 2))![1]!, 'base64').subarray(4);
  checks.push({ algorithm: null, data: Buffer.from(note), key: tlog.key, signature: noteSignature });
  const lines = note.trimEnd().split('\n');
  const size = BigInt(lines[1]!);
  const index = BigInt(tlogEntry.inclusionProof.logIndex ?? 0); // protobuf's JSON leaves zeros and empty lists out
  const inner = (index ^ (size - 1n)).toString(2).length * (index ^ (size - 1n) ? 1 : 0);
  const body = JSON.parse(canonicalizedBody.toString('utf8')) as BodyJson;
  const signature = bundle.messageSignature;
  return {
    checks,
    leafSpki: leaf.spki,
    messageSignature: b64(signature.signature),
    messageDigest: b64(signature.messageDigest.digest),
    body: {
      kind: `${body.kind}/${body.apiVersion}`,
      signature: b64(body.spec?.signature?.content ?? ''),
      digest: Buffer.from(body.spec?.data?.hash?.value ?? '', 'hex'),
    },
    merkle: {
      leaf: canonicalizedBody,
      hashes: (tlogEntry.inclusionProof.hashes ?? []).map(b64),
      index,
      inner,
      root: Buffer.from(lines[2]!, 'base64'),
    },
    validity: {
      notBefore: leaf.notBefore.getTime(),
      notAfter: leaf.notAfter.getTime(),
      integrated: Number(tlogEntry.integratedTime) * 1000,
    },
    identity: subjectAltNames(leaf).email ?? '',
  };
}

/** The signature checks of one package over its archive's bytes; the first that fails, or undefined. */
export function checkSigstore(
  p: SigstoreOperands,
  archive: Buffer,
  who: SigstoreTrustees,
  archiveSha256: Buffer,
): string | undefined {
  const { validity } = p;
  if (validity.integrated < validity.notBefore || validity.integrated > validity.notAfter)
    return 'sigstore: the certificate was not valid when logged';
  for (const check of p.checks)
    if (!verify(check.algorithm, check.data, check.key, check.signature)) return 'sigstore: a log or CA check failed';
  const { merkle } = p;
  let hash = createHash('sha256')
    .update(Buffer.from([0]))
    .update(merkle.leaf)
    .digest();
  merkle.hashes.forEach((h, i) => {
    const right = i < merkle.inner && !((merkle.index >> BigInt(i)) & 1n);
    hash = createHash('sha256')
      .update(Buffer.from([1]))
      .update(right ? hash : h)
      .update(right ? h : hash)
      .digest();
  });
  if (Buffer.compare(hash, merkle.root) !== 0) return 'sigstore: the inclusion proof failed';
  if (
    p.body.kind !== 'hashedrekord/0.0.1' ||
    Buffer.compare(p.body.signature, p.messageSignature) !== 0 ||
    Buffer.compare(p.body.digest, p.messageDigest) !== 0
  )
    return 'sigstore: the log entry is of another signature';
  // The bundle's digest (what the log records) is the archive's: checkFiles found its SHA-256 to be the locked one.
  if (Buffer.compare(p.messageDigest, archiveSha256) !== 0) return 'sigstore: the bundle signs another artifact';
  if (!who.trusted.test(p.identity) || (who.recorded !== undefined && who.recorded !== p.identity))
    return `sigstore: signer ${p.identity} is not trusted`;
  const key = createPublicKey({ key: p.leafSpki, format: 'der', type: 'spki' });
  if (!verify('sha256', archive, key, p.messageSignature)) return 'sigstore: the signature failed';
  return undefined;
}
