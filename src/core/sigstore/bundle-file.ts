import { bundleFromJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { messageOf } from '../errors.ts';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../model/json-depth.ts';

export const SUPPORTED_MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
]);

/** Parses a bundle file; a malformed one yields an invalid check rather than an exception. */
export function parseBundle(bytes: Uint8Array): { ok: true; bundle: Bundle } | { ok: false; reason: string } {
  let json: { mediaType?: unknown };
  // Decoded where the bytes are (a view, not a copy: Buffer.from of a Uint8Array copies it byte by byte).
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (nestedDeeperThan(text, MAX_JSON_DEPTH))
    return { ok: false, reason: `the bundle nests more than ${MAX_JSON_DEPTH} arrays or objects in one another` };
  try {
    json = JSON.parse(text) as { mediaType?: unknown };
  } catch {
    return { ok: false, reason: 'the bundle is not JSON' };
  }
  if (typeof json?.mediaType !== 'string' || !SUPPORTED_MEDIA_TYPES.has(json.mediaType)) {
    return { ok: false, reason: `unsupported bundle media type ${JSON.stringify(json?.mediaType)}` };
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return { ok: false, reason: `the bundle is malformed (${messageOf(error)})` };
  }
  // Every log entry is a chain and a log proof checked: a signature needs one, and a registry checks every upload.
  const entries = bundle.verificationMaterial.tlogEntries.length;
  if (entries > MAX_TLOG_ENTRIES)
    return {
      ok: false,
      reason: `the bundle holds ${entries} transparency-log entries; at most ${MAX_TLOG_ENTRIES} are read`,
    };
  const content = bundle.verificationMaterial.content;
  const chain = content.$case === 'x509CertificateChain' ? content.x509CertificateChain.certificates.length : 1;
  if (chain > MAX_CHAIN_CERTIFICATES)
    return {
      ok: false,
      reason: `the bundle's certificate chain holds ${chain} certificates; at most ${MAX_CHAIN_CERTIFICATES} are read`,
    };
  return { ok: true, bundle };
}

/** Transparency-log entries and chain certificates a bundle may hold: one of each is usual. */
export const MAX_TLOG_ENTRIES = 8;
export const MAX_CHAIN_CERTIFICATES = 10;
