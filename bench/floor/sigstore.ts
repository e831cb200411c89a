/**
 * The floor's Sigstore checks, with node:crypto alone: the leaf certificate's
 * signature (its CA), its SCT, the log's signed entry timestamp and
 * checkpoint, the Merkle inclusion path, and the signature over the archive.
 * Everything that is not hashing or a signature check (JSON and DER parsing,
 * building the signed structures, trust material) is done beforehand.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import type { BundleWithMessageSignature } from '@sigstore/bundle';
import { parseCertificate, precertTbs, sctList } from '../../src/core/sigstore/fast/certificate.ts';
import { buildFastTrust } from '../../src/core/sigstore/fast/trust.ts';
import { SIGNATURE_SUFFIX } from '../../src/core/registry/layout.ts';
import { prepareFiles } from './files.ts';
import type { FileOperands } from './files.ts';

interface Check {
  algorithm: string | null;
  data: Buffer;
  key: KeyObject;
  signature: Buffer;
}

export interface SigstoreOperands {
  files: FileOperands;
  checks: Check[];
  /** The leaf key (DER), turned into a key object in the timed part: every verifier has to. */
  leafSpki: Buffer;
  messageSignature: Buffer;
  merkle: { leaf: Buffer; hashes: Buffer[]; index: bigint; inner: number; root: Buffer };
}

export async function prepareSigstore(world: string): Promise<SigstoreOperands[]> {
  const rootJson = JSON.parse(readFileSync(join(world, 'home', '.aam', 'trusted_root.json'), 'utf8'));
  const trust = buildFastTrust(rootJson);
  return (await prepareFiles(world, SIGNATURE_SUFFIX.sigstore)).map(({ name, files }) => {
    const bundle = bundleFromJSON(JSON.parse(readFileSync(files.signature, 'utf8'))) as BundleWithMessageSignature;
    const material = bundle.verificationMaterial;
    const raw = material.content.$case === 'certificate' ? material.content.certificate.rawBytes : undefined;
    if (!raw) throw new Error(`${name}: the floor expects a certificate bundle`);
    const leaf = parseCertificate(Buffer.from(raw));
    const issuer = trust.cas
      .flatMap((ca) => ca.candidates)
      .find((c) => c.cert.ski?.equals(leaf.aki ?? Buffer.alloc(0)))!;
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
    const logId = Buffer.from(tlogEntry.logId.keyId);
    const tlog = trust.tlogs.find((l) => l.logId.equals(logId))!;
    const payload = `{"body":"${Buffer.from(tlogEntry.canonicalizedBody).toString('base64')}","integratedTime":${Number(tlogEntry.integratedTime)},"logID":"${logId.toString('hex')}","logIndex":${Number(tlogEntry.logIndex)}}`;
    checks.push({
      algorithm: null,
      data: Buffer.from(payload),
      key: tlog.key,
      signature: Buffer.from(tlogEntry.inclusionPromise!.signedEntryTimestamp),
    });
    const envelope = tlogEntry.inclusionProof!.checkpoint!.envelope;
    const split = envelope.indexOf('\n\n');
    const note = envelope.slice(0, split + 1);
    const noteSignature = Buffer.from(/\u2014 \S+ (\S+)\n/.exec(envelope.slice(split + 2))![1]!, 'base64').subarray(4);
    checks.push({ algorithm: null, data: Buffer.from(note), key: tlog.key, signature: noteSignature });
    const lines = note.trimEnd().split('\n');
    const size = BigInt(lines[1]!);
    const index = BigInt(tlogEntry.inclusionProof!.logIndex);
    const inner = (index ^ (size - 1n)).toString(2).length * (index ^ (size - 1n) ? 1 : 0);
    return {
      files,
      checks,
      leafSpki: leaf.spki,
      messageSignature: Buffer.from(bundle.content.messageSignature.signature),
      merkle: {
        leaf: Buffer.from(tlogEntry.canonicalizedBody),
        hashes: tlogEntry.inclusionProof!.hashes.map((h) => Buffer.from(h)),
        index,
        inner,
        root: Buffer.from(lines[2]!, 'base64'),
      },
    };
  });
}

/** The signature checks of one package over its archive's bytes; throws if one fails (the floor must do the real work). */
export function checkSigstore(p: SigstoreOperands, archive: Buffer): void {
  for (const check of p.checks)
    if (!verify(check.algorithm, check.data, check.key, check.signature))
      throw new Error(`floor: a check failed for ${p.files.archive}`);
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
  if (!hash.equals(merkle.root)) throw new Error(`floor: the inclusion proof failed for ${p.files.archive}`);
  const key = createPublicKey({ key: p.leafSpki, format: 'der', type: 'spki' });
  if (!verify('sha256', archive, key, p.messageSignature))
    throw new Error(`floor: the signature failed for ${p.files.archive}`);
}
