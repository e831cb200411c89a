import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { fromText } from '../../src/core/sigstore/trusted-root.ts';
import type { TrustRootSource } from '../../src/core/sigstore/trusted-root.ts';

/**
 * A synthetic Sigstore world whose every key the test holds (root CA,
 * intermediate, CT log, two Rekor logs), so that certificates and log entries
 * of shapes no real client makes can be given to both verifiers. A local
 * Sigstore instance (helpers/sigstore.ts) only makes well-formed ones.
 */

// DER, just enough for certificates.
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const c = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(c.length), c]);
}
const seq = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const octets = (content: Buffer) => tlv(0x04, content);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const bits = (...bytes: number[]) => tlv(0x03, Buffer.from(bytes));
function oid(text: string): Buffer {
  const [first, second, ...rest] = text.split('.').map(Number);
  const out = [first! * 40 + second!];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; groups.length === 0 || v > 0; v = Math.floor(v / 128)) groups.unshift(v & 0x7f);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}
const utcTime = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

const ECDSA_SHA384 = seq(oid('1.2.840.10045.4.3.3'));
const OID = {
  SAN: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
  KEY_USAGE: '2.5.29.15',
  EXTENDED_KEY_USAGE: '2.5.29.37',
  ISSUER_V1: '1.3.6.1.4.1.57264.1.1',
  ISSUER_V2: '1.3.6.1.4.1.57264.1.8',
  SOURCE_REPOSITORY: '1.3.6.1.4.1.57264.1.12',
  SCT_LIST: '1.3.6.1.4.1.11129.2.4.2',
};

/** A v3 TBSCertificate, signed with ECDSA P-384 / SHA-384, valid from `validity[0]` to `validity[1]`. */
function tbsOf(issuer: Buffer, subject: Buffer, validity: [Date, Date], spki: Buffer, extensions: Buffer[]): Buffer {
  const version = tlv(0xa0, tlv(0x02, Buffer.from([2])));
  const serial = tlv(0x02, Buffer.from([0x10, 0x92]));
  const times = seq(...validity.map(utcTime));
  return seq(version, serial, ECDSA_SHA384, issuer, times, subject, spki, tlv(0xa3, seq(...extensions)));
}
const certificateOf = (tbs: Buffer, key: KeyObject) =>
  seq(tbs, ECDSA_SHA384, tlv(0x03, Buffer.from([0]), sign('sha384', tbs, key)));
const spkiOf = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });
const logIdOf = (key: KeyObject) => createHash('sha256').update(spkiOf(key)).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
function uint(n: number, size: 2 | 3 | 8): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b.subarray(8 - size);
}

/** What a bundle's log entries are made from: the signature, digest, certificate and its hashedrekord body. */
export interface Signed {
  signature: Buffer;
  digest: Buffer;
  certificate: Buffer;
  body: Buffer;
}

/** Who a synthetic leaf certificate names: an email or URI SAN, the OIDC issuer, a CI run's source repository. */
export interface LeafIdentity {
  email?: string;
  uri?: string;
  issuer?: string;
  sourceRepository?: string;
}

export interface EntryOptions {
  /** Seconds, or the text to write (the bundle keeps a string). Default: now. */
  integratedTime?: number | string;
  logIndex?: number;
  /** Which Rekor log makes the entry. Default: the first. */
  log?: 1 | 2;
  /** With a signed entry timestamp (SET). Default: true. */
  promise?: boolean;
}

const hours = (n: number) => n * 3600e3;

export class SigstoreWorld {
  private readonly rootKey = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  private readonly caKey = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  private readonly ctKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly logs = {
    1: { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }), host: 'rekor-one.test' },
    2: { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }), host: 'rekor-two.test' },
  };
  private readonly start = new Date(Date.now() - hours(24 * 30));
  private readonly caName = name('test intermediate');
  /** The root CA's certificate. */
  readonly rootCertificate: Buffer;
  private readonly caCertificate: Buffer;

  constructor() {
    const rootName = name('test root');
    const end = new Date(Date.now() + hours(24 * 365));
    const caExtensions = [
      extension(OID.BASIC_CONSTRAINTS, true, seq(bool(true))),
      extension(OID.KEY_USAGE, true, bits(1, 0x06)),
    ];
    const ca = (subject: Buffer, key: KeyObject) =>
      certificateOf(tbsOf(rootName, subject, [this.start, end], spkiOf(key), caExtensions), this.rootKey.privateKey);
    this.rootCertificate = ca(rootName, this.rootKey.publicKey);
    this.caCertificate = ca(this.caName, this.caKey.publicKey);
  }

  /** Where the world's log `which` is, as the trusted root names it. */
  logUrl(which: 1 | 2): string {
    return `https://${this.logs[which].host}`;
  }

  trustedRoot(): TrustRootSource {
    const key = (k: KeyObject) => ({
      rawBytes: spkiOf(k).toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: this.start.toISOString() },
    });
    const log = (k: KeyObject, baseUrl: string) => ({
      baseUrl,
      hashAlgorithm: 'SHA2_256',
      publicKey: key(k),
      logId: { keyId: logIdOf(k).toString('base64') },
    });
    const chain = [this.caCertificate, this.rootCertificate].map((c) => ({ rawBytes: c.toString('base64') }));
    const json = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [log(this.logs[1].key.publicKey, this.logUrl(1)), log(this.logs[2].key.publicKey, this.logUrl(2))],
      certificateAuthorities: [
        {
          subject: { organization: 'test', commonName: 'test' },
          uri: 'https://fulcio.test',
          certChain: { certificates: chain },
          validFor: { start: this.start.toISOString() },
        },
      ],
      ctlogs: [log(this.ctKey.publicKey, 'https://ct.test')],
      timestampAuthorities: [],
    };
    return fromText(JSON.stringify(json), 'synthetic Sigstore world');
  }

  /**
   * A Fulcio-like certificate for bob@example.com (or `identity`: a URI SAN, an issuer, a source repository),
   * valid for ten minutes from a minute ago, with `scts` SCTs of the CT log.
   */
  leaf(key: KeyObject, scts = 1, identity: LeafIdentity = {}): Buffer {
    const now = Date.now();
    const issuer = identity.issuer ?? 'https://issuer.test';
    const san = identity.uri
      ? tlv(0x86, Buffer.from(identity.uri))
      : tlv(0x81, Buffer.from(identity.email ?? 'bob@example.com'));
    const extensions = [
      extension(OID.KEY_USAGE, true, bits(7, 0x80)),
      extension(OID.EXTENDED_KEY_USAGE, false, seq(oid('1.3.6.1.5.5.7.3.3'))),
      extension(OID.SAN, true, seq(san)),
      extension(OID.ISSUER_V1, false, Buffer.from(issuer)),
      extension(OID.ISSUER_V2, false, utf8(issuer)),
      ...(identity.sourceRepository === undefined
        ? []
        : [extension(OID.SOURCE_REPOSITORY, false, utf8(identity.sourceRepository))]),
    ];
    const tbs = (list: Buffer[]) =>
      tbsOf(this.caName, seq(), [new Date(now - 60e3), new Date(now + 9 * 60e3)], spkiOf(key), list);
    // The CT log signs the precertificate: the certificate without its SCT list.
    const precertificate = tbs(extensions);
    const list = Array.from({ length: scts }, (_, i) => this.sct(precertificate, now - 1000 * (i + 1)));
    const body = Buffer.concat(list.map((sct) => Buffer.concat([uint(sct.length, 2), sct])));
    const sctList = extension(OID.SCT_LIST, false, octets(Buffer.concat([uint(body.length, 2), body])));
    return certificateOf(tbs([...extensions, sctList]), this.caKey.privateKey);
  }

  /** An RFC 6962 SCT of the world's CT log over a precertificate. */
  private sct(precertificate: Buffer, time: number): Buffer {
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // v1, certificate_timestamp
      uint(time, 8),
      uint(1, 2), // precert_entry
      sha256(spkiOf(this.caKey.publicKey)), // issuer_key_hash
      uint(precertificate.length, 3),
      precertificate,
      uint(0, 2), // no extensions
    ]);
    const signature = sign('sha256', signed, this.ctKey.privateKey);
    const sha256WithEcdsa = Buffer.from([4, 3]);
    const logId = logIdOf(this.ctKey.publicKey);
    return Buffer.concat([
      Buffer.from([0]),
      logId,
      uint(time, 8),
      uint(0, 2),
      sha256WithEcdsa,
      uint(signature.length, 2),
      signature,
    ]);
  }

  /** A hashedrekord 0.0.1 body that logs `signature` over `digest` under `certificate`. */
  body(signature: Buffer, digest: Buffer, certificate: Buffer): Buffer {
    const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const spec = {
      data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
      signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(pem).toString('base64') } },
    };
    return Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'hashedrekord', spec }));
  }

  /** A Rekor v1 entry for `body`: a SET (unless `promise: false`), and a one-leaf inclusion proof with its checkpoint. */
  entry(body: Buffer, options: EntryOptions = {}): Record<string, unknown> {
    const { key, host } = this.logs[options.log ?? 1];
    const logId = logIdOf(key.publicKey);
    const time = options.integratedTime ?? Math.floor(Date.now() / 1000);
    const logIndex = options.logIndex ?? 7;
    const payload = `{"body":"${body.toString('base64')}","integratedTime":${Number(time)},"logID":"${logId.toString('hex')}","logIndex":${logIndex}}`;
    const rootHash = sha256(Buffer.concat([Buffer.from([0]), body]));
    const note = `${host} - 1\n1\n${rootHash.toString('base64')}\n`;
    const noteSignature = Buffer.concat([logId.subarray(0, 4), sign('sha256', Buffer.from(note), key.privateKey)]);
    return {
      logIndex: String(logIndex),
      logId: { keyId: logId.toString('base64') },
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
      integratedTime: String(time),
      ...(options.promise === false
        ? {}
        : {
            inclusionPromise: {
              signedEntryTimestamp: sign('sha256', Buffer.from(payload), key.privateKey).toString('base64'),
            },
          }),
      inclusionProof: {
        logIndex: '0',
        rootHash: rootHash.toString('base64'),
        treeSize: '1',
        hashes: [],
        checkpoint: { envelope: `${note}\n\u2014 ${host} ${noteSignature.toString('base64')}\n` },
      },
      canonicalizedBody: body.toString('base64'),
    };
  }

  /**
   * A v0.3 message-signature bundle over `artifact`, signed with a fresh key
   * under a certificate with `scts` SCTs; its log entries are `entries`
   * (default: one entry of the first log, with a SET and a proof).
   */
  bundle(
    artifact: Buffer,
    options: { scts?: number; entries?: (signed: Signed) => Record<string, unknown>[]; identity?: LeafIdentity } = {},
  ): Buffer {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = this.leaf(key.publicKey, options.scts, options.identity);
    const signature = sign('sha256', artifact, key.privateKey);
    const digest = sha256(artifact);
    const body = this.body(signature, digest, certificate);
    const entries = options.entries?.({ signature, digest, certificate, body }) ?? [this.entry(body)];
    const json = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        certificate: { rawBytes: certificate.toString('base64') },
        tlogEntries: entries,
        timestampVerificationData: {},
      },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
        signature: signature.toString('base64'),
      },
    };
    return Buffer.from(JSON.stringify(json));
  }
}
