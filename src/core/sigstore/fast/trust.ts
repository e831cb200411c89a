import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parseCertificate } from './certificate.ts';
import type { Certificate } from './certificate.ts';

/** A certificate of a trusted CA chain that may issue leaves, with its path to the anchor checked once. */
export interface IssuerCandidate {
  cert: Certificate;
  key: KeyObject;
  /** The issuer first, then its issuers up to and including the self-signed anchor. */
  path: Certificate[];
  /** SHA-256 of the issuer's SubjectPublicKeyInfo (the SCT issuer key hash). */
  keyHash: Buffer;
}

export interface FastCA {
  start: Date;
  end: Date;
  candidates: IssuerCandidate[];
}

export interface FastLog {
  logId: Buffer;
  baseUrl: string;
  key: KeyObject;
  start: Date;
  end: Date;
}

/** Trust material with the bundle-independent chain work already done. */
export interface FastTrust {
  cas: FastCA[];
  tlogs: FastLog[];
  ctlogs: FastLog[];
  /** True when the root has timestamp authorities (bundles with RFC 3161 stamps go to the reference verifier). */
  hasTsa: boolean;
}

interface RootJson {
  certificateAuthorities?: {
    certChain?: { certificates?: { rawBytes?: string }[] };
    validFor?: { start?: string; end?: string };
  }[];
  tlogs?: LogJson[];
  ctlogs?: LogJson[];
  timestampAuthorities?: unknown[];
}
interface LogJson {
  baseUrl?: string;
  publicKey?: { rawBytes?: string; validFor?: { start?: string; end?: string } };
  logId?: { keyId?: string };
}

const FOREVER = new Date(8640000000000000);

/**
 * Builds fast trust material from a trusted_root.json. Each CA certificate's
 * path to a self-signed anchor is built and verified here, once, with the
 * same rules the reference verifier applies on every bundle.
 */
export function buildFastTrust(root: RootJson): FastTrust {
  const cas = (root.certificateAuthorities ?? []).map((ca): FastCA => {
    const certs = (ca.certChain?.certificates ?? []).map((c) =>
      parseCertificate(Buffer.from(c.rawBytes ?? '', 'base64')),
    );
    const candidates: IssuerCandidate[] = [];
    for (const cert of certs) {
      const path = pathToAnchor(cert, certs, new Set());
      if (!path) continue;
      candidates.push({
        cert,
        key: createPublicKey({ key: cert.spki, format: 'der', type: 'spki' }),
        path,
        keyHash: createHash('sha256').update(cert.spki).digest(),
      });
    }
    return { start: date(ca.validFor?.start, new Date(0)), end: date(ca.validFor?.end, FOREVER), candidates };
  });
  return {
    cas,
    tlogs: logs(root.tlogs),
    ctlogs: logs(root.ctlogs),
    hasTsa: (root.timestampAuthorities ?? []).length > 0,
  };
}

/** `cert` followed by its issuers up to a self-signed anchor, each signature checked; undefined if none. */
function pathToAnchor(cert: Certificate, pool: Certificate[], seen: Set<Certificate>): Certificate[] | undefined {
  if (seen.has(cert)) return undefined;
  if (cert.subject.equals(cert.issuer) && signedBy(cert, cert)) return [cert];
  let best: Certificate[] | undefined;
  for (const issuer of issuersOf(cert, pool)) {
    const rest = pathToAnchor(issuer, pool, new Set([...seen, cert]));
    if (rest && (!best || rest.length + 1 < best.length)) best = [cert, ...rest];
  }
  return best;
}

/** Possible issuers as the reference selects them: by key identifier when both sides have one, else by name; then by signature. */
export function issuersOf(cert: Certificate, pool: readonly Certificate[]): Certificate[] {
  return pool.filter((candidate) => {
    if (candidate === cert) return false;
    const byKeyId = cert.aki !== undefined && candidate.ski !== undefined;
    const match = byKeyId ? candidate.ski!.equals(cert.aki!) : candidate.subject.equals(cert.issuer);
    return match && signedBy(cert, candidate);
  });
}

export function signedBy(cert: Certificate, issuer: Certificate, key?: KeyObject): boolean {
  try {
    const publicKey = key ?? createPublicKey({ key: issuer.spki, format: 'der', type: 'spki' });
    return verify(
      cert.signatureDigest ?? null,
      cert.der.subarray(cert.tbs.start, cert.tbs.end),
      publicKey,
      cert.signature,
    );
  } catch {
    return false;
  }
}

function logs(list: LogJson[] | undefined): FastLog[] {
  return (list ?? []).flatMap((log): FastLog[] => {
    if (!log.publicKey?.rawBytes || !log.logId?.keyId) return [];
    return [
      {
        logId: Buffer.from(log.logId.keyId, 'base64'),
        baseUrl: log.baseUrl ?? '',
        key: createPublicKey({ key: Buffer.from(log.publicKey.rawBytes, 'base64'), format: 'der', type: 'spki' }),
        start: date(log.publicKey.validFor?.start, new Date(0)),
        end: date(log.publicKey.validFor?.end, FOREVER),
      },
    ];
  });
}

function date(text: string | undefined, fallback: Date): Date {
  return text ? new Date(text) : fallback;
}
