import { DerError, bytes, children, header, oid, readTlv, value } from './der.ts';
import type { Tlv } from './der.ts';

export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const OID_SAN = '2.5.29.17';
const OID_SKI = '2.5.29.14';
const OID_AKI = '2.5.29.35';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';

/** Signature algorithms by OID, as Node's crypto names their digest (undefined: the key decides). */
const SIGNATURE_DIGESTS: Record<string, string | undefined> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': undefined,
};

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
  tlv: Tlv;
}

/** An X.509 certificate, read just deeply enough for Sigstore verification. */
export interface Certificate {
  der: Buffer;
  tbs: Tlv;
  /** The digest its issuer signed with (undefined for Ed25519). */
  signatureDigest: string | undefined;
  signature: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Extension[];
  /** The TBS's [3] EXPLICIT wrapper around the extensions. */
  extensionsWrapper: Tlv | undefined;
  ski: Buffer | undefined;
  aki: Buffer | undefined;
  /** As @sigstore/core defines it: basicConstraints cA, and keyCertSign when key usage is present. */
  isCA: boolean;
  basicConstraintsCA: boolean;
  pathLength: number | undefined;
}

export class UnsupportedCertificate extends Error {}

export function parseCertificate(der: Buffer): Certificate {
  const root = readTlv(der, 0);
  if (root.tag !== 0x30 || root.end !== der.length) throw new DerError('not a certificate');
  const [tbs, algorithm, signatureBits] = children(der, root);
  if (!tbs || !algorithm || !signatureBits || tbs.tag !== 0x30 || signatureBits.tag !== 0x03)
    throw new DerError('not a certificate');
  const algorithmOid = oid(der, children(der, algorithm)[0]!);
  if (!(algorithmOid in SIGNATURE_DIGESTS)) throw new UnsupportedCertificate(`signature algorithm ${algorithmOid}`);
  const parts = children(der, tbs);
  let i = parts[0]?.tag === 0xa0 ? 1 : 0;
  const [, , issuer, validity, subject, spki] = parts.slice(i);
  if (!issuer || !validity || !subject || !spki) throw new DerError('incomplete TBS');
  i += 6;
  const extensionsWrapper = parts.slice(i).find((t) => t.tag === 0xa3);
  const extensions = extensionsWrapper ? parseExtensions(der, extensionsWrapper) : [];
  const [notBefore, notAfter] = children(der, validity).map((t) => parseTime(der, t));
  const bitString = value(der, signatureBits);
  if (bitString[0] !== 0) throw new DerError('signature has unused bits');
  const find = (id: string) => extensions.find((e) => e.oid === id);
  const basic = find(OID_BASIC_CONSTRAINTS);
  const basicParts = basic ? children(basic.value, readTlv(basic.value, 0)) : [];
  const basicConstraintsCA = basicParts[0]?.tag === 0x01 && basic!.value[basicParts[0].valueStart] !== 0;
  const pathTlv = basicParts.find((t) => t.tag === 0x02);
  const keyUsage = find(OID_KEY_USAGE);
  const keyCertSign = keyUsage ? keyUsageBit(keyUsage.value, 5) : undefined;
  return {
    der,
    tbs,
    signatureDigest: SIGNATURE_DIGESTS[algorithmOid],
    signature: bitString.subarray(1),
    issuer: bytes(der, issuer),
    subject: bytes(der, subject),
    notBefore: notBefore!,
    notAfter: notAfter!,
    spki: bytes(der, spki),
    extensions,
    extensionsWrapper,
    ski: subjectKeyId(find(OID_SKI)),
    aki: authorityKeyId(find(OID_AKI)),
    isCA: basicConstraintsCA && (keyCertSign === undefined ? true : keyCertSign),
    basicConstraintsCA,
    pathLength: pathTlv
      ? value(basic!.value, pathTlv).readUIntBE(0, Math.min(6, pathTlv.end - pathTlv.valueStart))
      : undefined,
  };
}

/**
 * The TBS with the SCT-list extension removed, re-encoded: what the CT log
 * signed (RFC 6962 §3.2). Everything else keeps its bytes.
 */
export function precertTbs(cert: Certificate): Buffer {
  const { der, extensionsWrapper: wrapper } = cert;
  if (!wrapper) throw new DerError('the certificate has no extensions');
  const kept = cert.extensions.filter((e) => e.oid !== OID_SCT_LIST).map((e) => der.subarray(e.tlv.start, e.tlv.end));
  const sequence = Buffer.concat(kept);
  const list = Buffer.concat([header(0x30, sequence.length), sequence]);
  const explicit = Buffer.concat([header(0xa3, list.length), list]);
  const body = Buffer.concat([
    der.subarray(cert.tbs.valueStart, wrapper.start),
    explicit,
    der.subarray(wrapper.end, cert.tbs.end),
  ]);
  return Buffer.concat([header(0x30, body.length), body]);
}

function parseExtensions(der: Buffer, wrapper: Tlv): Extension[] {
  const [sequence] = children(der, wrapper);
  if (!sequence || sequence.tag !== 0x30) throw new DerError('bad extensions');
  return children(der, sequence).map((tlv) => {
    const fields = children(der, tlv);
    const critical = fields.length === 3 && fields[1]!.tag === 0x01 && der[fields[1]!.valueStart] !== 0;
    const octets = fields[fields.length - 1]!;
    if (octets.tag !== 0x04) throw new DerError('bad extension value');
    return { oid: oid(der, fields[0]!), critical, value: value(der, octets), tlv };
  });
}

const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{3})?Z$/;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{3})?Z$/;

/** UTCTime or GeneralizedTime, read as @sigstore/core reads them. */
function parseTime(der: Buffer, tlv: Tlv): Date {
  const text = value(der, tlv).toString('ascii');
  const match = tlv.tag === 0x17 ? UTC.exec(text) : tlv.tag === 0x18 ? GENERALIZED.exec(text) : null;
  if (!match) throw new DerError('invalid time');
  let year = match[1]!;
  if (tlv.tag === 0x17) year = String(Number(year) + (Number(year) >= 50 ? 1900 : 2000));
  return new Date(`${year}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
}

function keyUsageBit(extension: Buffer, bit: number): boolean {
  const tlv = readTlv(extension, 0);
  const content = value(extension, tlv);
  const byte = content[1 + (bit >> 3)] ?? 0;
  return (byte & (0x80 >> (bit & 7))) !== 0;
}

function subjectKeyId(extension: Extension | undefined): Buffer | undefined {
  if (!extension) return undefined;
  const tlv = readTlv(extension.value, 0);
  return tlv.tag === 0x04 ? value(extension.value, tlv) : undefined;
}

function authorityKeyId(extension: Extension | undefined): Buffer | undefined {
  if (!extension) return undefined;
  const keyId = children(extension.value, readTlv(extension.value, 0)).find((t) => t.tag === 0x80);
  return keyId ? value(extension.value, keyId) : undefined;
}

/** The SAN entries: rfc822Name ([1]) and URI ([6]). Throws DerError when one is not strict ASCII. */
export function subjectAltNames(cert: Certificate): { email: string | undefined; uri: string | undefined } {
  const extension = cert.extensions.find((e) => e.oid === OID_SAN);
  return extension ? namesOfSan(extension.value) : { email: undefined, uri: undefined };
}

/**
 * The first rfc822Name and URI of a SubjectAltName extension value (DER
 * GeneralNames). Both are IA5Strings: ASCII, read strictly. Decoding that
 * dropped the high bit would read `alice@exampl\xE5.com` as
 * `alice@example.com`, an identity the certificate does not carry.
 */
export function namesOfSan(extensionValue: Buffer): { email: string | undefined; uri: string | undefined } {
  const names = children(extensionValue, readTlv(extensionValue, 0));
  const pick = (tag: number) => {
    const found = names.find((n) => n.tag === tag);
    return found ? strictAscii(value(extensionValue, found), tag === 0x81 ? 'email' : 'URI') : undefined;
  };
  return { email: pick(0x81), uri: pick(0x86) };
}

/** Printable ASCII only; anything else makes the certificate's identity unreadable, so invalid. */
export function strictAscii(bytes: Buffer, what: string): string {
  for (const byte of bytes) {
    if (byte < 0x20 || byte > 0x7e)
      throw new DerError(
        `the certificate's ${what} holds the byte 0x${byte.toString(16).padStart(2, '0')}, which is not printable ASCII`,
      );
  }
  return bytes.toString('latin1');
}

/**
 * The OIDC issuer of a Fulcio certificate: extension 1.3.6.1.4.1.57264.1.8
 * (a DER UTF8String), else the deprecated 1.1 (raw bytes). Strict UTF-8 with
 * no control characters; undefined when neither is present. "Trust this
 * signer" writes the issuer into a config the AAM CLI reads as YAML 1.1, where
 * U+0085, U+2028 and U+2029 end a line; and an invisible format character
 * (a bidi control, a zero-width space) would let one issuer pass for another.
 * Both are refused with the controls: a real issuer is a plain URL.
 */
export function issuerOfExtensions(v2: Buffer | undefined, v1: Buffer | undefined): string | undefined {
  return v2 ? utf8StringExtension(v2, 'issuer') : v1 && strictText(v1, 'issuer');
}

/**
 * A Fulcio extension of 1.3.6.1.4.1.57264.1.8 onward (a DER UTF8String), read as strictly as the issuer:
 * the source repository of a CI run (1.12), say.
 */
export function utf8StringExtension(extension: Buffer, what: string): string {
  const tlv = readTlv(extension, 0);
  if (tlv.tag !== 0x0c || tlv.end !== extension.length)
    throw new DerError(`the certificate's ${what} extension is not a UTF8String`);
  return strictText(value(extension, tlv), what);
}

function strictText(raw: Buffer, what: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new DerError(`the certificate's ${what} is not valid UTF-8`);
  }
  // Cc: C0 and C1 controls (U+0085 among them); Cf: bidi controls, zero-width and other invisible
  // format characters; Zl, Zp: U+2028 and U+2029.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text))
    throw new DerError(`the certificate's ${what} holds control, invisible or line-separator characters`);
  return text;
}

/** The TLS-encoded SCT list of the embedded-SCT extension, if any. */
export function sctList(cert: Certificate): Buffer | undefined {
  const extension = cert.extensions.find((e) => e.oid === OID_SCT_LIST);
  if (!extension) return undefined;
  const tlv = readTlv(extension.value, 0);
  if (tlv.tag !== 0x04) throw new DerError('bad SCT extension');
  return value(extension.value, tlv);
}
