import { createHash } from 'node:crypto';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { parseLoggedBody } from '../logged-certificate.ts';
import type { LoggedBody } from '../logged-certificate.ts';
import { FastVerificationError, safeVerify } from './errors.ts';
import type { FastLog } from './trust.ts';

/**
 * The transparency-log checks of the fast Sigstore path, as @sigstore/verify
 * makes them: each entry's inclusion (signed promise, or checkpoint and
 * Merkle proof), its body against the bundle's signature and digest, and
 * the threshold of distinct entries. Returns the entries' bodies, parsed.
 */

export function verifyTlogs(
  entries: TransparencyLogEntry[],
  tlogs: FastLog[],
  signature: Buffer,
  digest: Buffer,
  threshold: number,
): (LoggedBody | null | undefined)[] {
  const seen = new Set<string>();
  const bodies = entries.map(parseLoggedBody);
  for (const [i, entry] of entries.entries()) {
    verifyInclusion(entry, tlogs);
    verifyBody(entry, bodies[i], signature, digest);
    const id = `${Buffer.from(entry.logId.keyId).toString('hex')}:${Buffer.from(entry.canonicalizedBody).toString('base64')}`;
    if (seen.has(id)) throw new FastVerificationError('TLOG_ERROR', 'duplicate tlog entry');
    seen.add(id);
  }
  if (seen.size < threshold)
    throw new FastVerificationError('TLOG_ERROR', `expected ${threshold} tlog entries, got ${seen.size}`);
  return bodies;
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

function verifyBody(
  entry: TransparencyLogEntry,
  body: LoggedBody | null | undefined,
  signature: Buffer,
  digest: Buffer,
): void {
  const fail = (message: string) => new FastVerificationError('TLOG_BODY_ERROR', message);
  // JSON that is null fails below as it always has (reading a field of null).
  if (body === undefined) throw fail('invalid canonicalized body');
  if (entry.kindVersion.kind !== body!.kind || entry.kindVersion.version !== body!.apiVersion)
    throw fail('kind/version mismatch');
  if (!Buffer.from(body!.spec?.signature?.content ?? '', 'base64').equals(signature)) throw fail('signature mismatch');
  if (!Buffer.from(body!.spec?.data?.hash?.value ?? '', 'hex').equals(digest)) throw fail('digest mismatch');
}
