/**
 * The floor's OpenPGP checks, with node:crypto alone: the signature hash over
 * the archive and the signature's trailer, and the Ed25519 check. The key and
 * the signature packets are read beforehand.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSignature } from 'openpgp';
import { findSecretKey, exportPublicKey } from '../../src/core/openpgp/gnupg.ts';
import { SIGNATURE_SUFFIX } from '../../src/core/registry/layout.ts';
import { prepareFiles } from './files.ts';
import type { FileOperands } from './files.ts';

export interface PgpOperands {
  files: FileOperands;
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
  const out: PgpOperands[] = [];
  for (const { files } of await prepareFiles(world, SIGNATURE_SUFFIX.gpg)) {
    const signature = await readSignature({ armoredSignature: readFileSync(files.signature, 'utf8') });
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
      files,
      hashAlgorithm,
      trailer,
      signed,
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }),
    });
  }
  return out;
}

/** The signature check of one package over its archive's bytes; throws if it fails. */
export function checkPgp(p: PgpOperands, archive: Buffer): void {
  const digest = createHash(p.hashAlgorithm).update(archive).update(p.trailer).digest();
  if (!verify(null, digest, p.key, p.signed))
    throw new Error(`floor: the OpenPGP signature failed for ${p.files.archive}`);
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
