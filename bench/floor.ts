/**
 * The single-thread floor: the least work anyone verifying these packages
 * must do, with node:crypto alone — read the archive and hash it, read the
 * signature file, and make the signature checks. Everything that is not
 * reading, hashing or a signature check (JSON and DER parsing, building the
 * signed structures, trust material) is prepared beforehand and not timed.
 *
 * Sigstore: the leaf certificate's signature (P-384), its SCT, the log's
 * signed entry timestamp and checkpoint, the Merkle inclusion path, and the
 * signature over the archive. OpenPGP: the signature hash over archive and
 * trailer, and the Ed25519 check.
 *
 * Run as its own process: node bench/floor.ts sigstore|gpg WORLD_DIR RUNS
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import type { BundleWithMessageSignature } from '@sigstore/bundle';
import { readSignature } from 'openpgp';
import { parseCertificate, precertTbs, sctList } from '../src/core/sigstore/fast/certificate.ts';
import { buildFastTrust } from '../src/core/sigstore/fast/trust.ts';
import { readLockFile } from '../src/core/lockfile/lockfile.ts';
import { archivePathIn, SIGNATURE_SUFFIX } from '../src/core/registry/layout.ts';
import { findSecretKey, exportPublicKey } from '../src/core/openpgp/gnupg.ts';

interface Check {
  algorithm: string | null;
  data: Buffer;
  key: KeyObject;
  signature: Buffer;
}

interface SigstoreOperands {
  archive: string;
  bundle: string;
  checks: Check[];
  /** The leaf key (DER), turned into a key object in the timed part: every verifier has to. */
  leafSpki: Buffer;
  messageSignature: Buffer;
  merkle: { leaf: Buffer; hashes: Buffer[]; index: bigint; inner: number; root: Buffer };
}

export async function prepareSigstore(world: string): Promise<SigstoreOperands[]> {
  const rootJson = JSON.parse(readFileSync(join(world, 'home', '.aam', 'trusted_root.json'), 'utf8'));
  const trust = buildFastTrust(rootJson);
  const lock = await readLockFile(join(world, 'project', '.aam', 'aam-lock.yaml'));
  const registry = join(world, 'registry');
  return Object.entries(lock.packages).map(([name, entry]) => {
    const archive = archivePathIn(registry, name, entry.version);
    const bundlePath = `${archive}${SIGNATURE_SUFFIX.sigstore}`;
    const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8'))) as BundleWithMessageSignature;
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
      archive,
      bundle: bundlePath,
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

/** One pass over every package; returns milliseconds. Throws if anything does not verify (the floor must do the real work). */
export function sigstoreFloor(packages: SigstoreOperands[]): number {
  const started = performance.now();
  for (const p of packages) {
    const archive = readFileSync(p.archive);
    createHash('sha256').update(archive).digest();
    readFileSync(p.bundle);
    for (const check of p.checks)
      if (!verify(check.algorithm, check.data, check.key, check.signature))
        throw new Error(`floor: a check failed for ${p.archive}`);
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
    if (!hash.equals(merkle.root)) throw new Error(`floor: the inclusion proof failed for ${p.archive}`);
    const key = createPublicKey({ key: p.leafSpki, format: 'der', type: 'spki' });
    if (!verify('sha256', archive, key, p.messageSignature))
      throw new Error(`floor: the signature failed for ${p.archive}`);
  }
  return performance.now() - started;
}

interface PgpOperands {
  archive: string;
  signature: string;
  hashAlgorithm: string;
  trailer: Buffer;
  signed: Buffer;
  key: KeyObject;
}

export async function preparePgp(world: string): Promise<PgpOperands[]> {
  const gnupg = join(world, 'home', '.gnupg');
  const fingerprint = (await findSecretKey(gnupg, 'bench@example.com')).fingerprint;
  const armoredKey = (await exportPublicKey(gnupg, fingerprint))!;
  const { readKey } = await import('openpgp');
  const key = await readKey({ armoredKey });
  const lock = await readLockFile(join(world, 'project', '.aam', 'aam-lock.yaml'));
  const registry = join(world, 'registry');
  const out: PgpOperands[] = [];
  for (const [name, entry] of Object.entries(lock.packages)) {
    const archive = archivePathIn(registry, name, entry.version);
    const signaturePath = `${archive}${SIGNATURE_SUFFIX.gpg}`;
    const signature = await readSignature({ armoredSignature: readFileSync(signaturePath, 'utf8') });
    const packet = signature.packets[0] as unknown as {
      hashAlgorithm: number;
      signatureData: Uint8Array;
      params: { r?: Uint8Array; s?: Uint8Array; RS?: Uint8Array };
      issuerKeyID: { equals(x: unknown): boolean };
    };
    const signingKey = key.getKeys(packet.issuerKeyID as never)[0]!;
    const material = (signingKey.keyPacket as unknown as { publicParams: { Q?: Uint8Array; A?: Uint8Array } })
      .publicParams;
    const raw = Buffer.from(material.A ?? material.Q!.subarray(1));
    const trailer = Buffer.concat([
      Buffer.from(packet.signatureData),
      Buffer.from([0x04, 0xff]),
      u32(packet.signatureData.length),
    ]);
    const signed = packet.params.RS
      ? Buffer.from(packet.params.RS)
      : Buffer.concat([pad32(packet.params.r!), pad32(packet.params.s!)]);
    const hashAlgorithm = ({ 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' } as Record<number, string>)[
      packet.hashAlgorithm
    ]!;
    out.push({
      archive,
      signature: signaturePath,
      hashAlgorithm,
      trailer,
      signed,
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }),
    });
  }
  return out;
}

export function pgpFloor(packages: PgpOperands[]): number {
  const started = performance.now();
  for (const p of packages) {
    const archive = readFileSync(p.archive);
    createHash('sha256').update(archive).digest();
    readFileSync(p.signature);
    const digest = createHash(p.hashAlgorithm).update(archive).update(p.trailer).digest();
    if (!verify(null, digest, p.key, p.signed)) throw new Error(`floor: the OpenPGP signature failed for ${p.archive}`);
  }
  return performance.now() - started;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function pad32(bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(32);
  Buffer.from(bytes).copy(b, 32 - bytes.length);
  return b;
}

if (import.meta.main) {
  const [kind, world, runs] = process.argv.slice(2);
  const times: number[] = [];
  if (kind === 'gpg') {
    const packages = await preparePgp(world!);
    for (let i = 0; i < Number(runs ?? 3); i++) times.push(pgpFloor(packages));
  } else {
    const packages = await prepareSigstore(world!);
    for (let i = 0; i < Number(runs ?? 3); i++) times.push(sigstoreFloor(packages));
  }
  process.stdout.write(`${JSON.stringify({ times })}\n`);
}
