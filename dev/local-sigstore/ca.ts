// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { initializeCTLog } from '@sigstore/mock';
import type { KeyObject } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const SIGN_P384 = { name: 'ECDSA', hash: 'SHA-384' } as const;
const P384 = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const LEAF_LIFETIME_MS = 10 * 60 * 1000;

export interface IssueRequest {
  /** The subject public key, SPKI DER. */
  publicKey: Uint8Array;
  san: { type: 'email' | 'url'; value: string };
  issuer: string;
}

/** A Fulcio-like certificate authority: P-384 root and intermediate, short-lived leaves with embedded SCTs. */
export interface LocalCA {
  rootDer: Buffer;
  intermediateDer: Buffer;
  ctLogPublicKey: Buffer;
  notBefore: Date;
  issue(request: IssueRequest): Promise<Buffer>;
}

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function generateP256(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export async function createLocalCA(name = 'AAM Trust local Sigstore'): Promise<LocalCA> {
  const subtle = webcrypto.subtle;
  const rootKeys = (await subtle.generateKey(P384, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const intKeys = (await subtle.generateKey(P384, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const rootName = `CN=${name} root,O=aam-trust.local`;
  const intName = `CN=${name} intermediate,O=aam-trust.local`;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: rootName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGN_P384,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    issuer: rootName,
    subject: intName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGN_P384,
    publicKey: intKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING]),
      await x509.SubjectKeyIdentifierExtension.create(intKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const ctKeys = generateP256();
  const ctLog = await initializeCTLog(ctKeys);
  const intSpki = Buffer.from(await subtle.exportKey('spki', intKeys.publicKey));
  const issuerKeyHash = createHash('sha256').update(intSpki).digest();
  let serial = 1000;

  return {
    rootDer: Buffer.from(root.rawData),
    intermediateDer: Buffer.from(intermediate.rawData),
    ctLogPublicKey: Buffer.from(ctLog.publicKey),
    notBefore,
    async issue(request) {
      const publicKey = await subtle.importKey('spki', request.publicKey, P256, true, ['verify']);
      const now = new Date();
      const sanEntry = { type: request.san.type, value: request.san.value } as x509.JsonGeneralName;
      const tbs = {
        serialNumber: (serial++).toString(16).padStart(4, '0'),
        issuer: intermediate.subject,
        subject: '',
        notBefore: now,
        notAfter: new Date(now.getTime() + LEAF_LIFETIME_MS),
        signingAlgorithm: SIGN_P384,
        publicKey,
        signingKey: intKeys.privateKey,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([OID_CODE_SIGNING]),
          // Fulcio leaves have an empty subject, so the SAN is critical (RFC 5280 §4.2.1.6).
          new x509.SubjectAlternativeNameExtension([sanEntry], true),
          await x509.SubjectKeyIdentifierExtension.create(publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(intKeys.publicKey),
          new x509.Extension(OID_ISSUER_V1, false, Buffer.from(request.issuer)),
          new x509.Extension(OID_ISSUER_V2, false, utf8String(request.issuer)),
        ],
      };
      const precert = await x509.X509CertificateGenerator.create(tbs);
      const sct = Buffer.from(
        await ctLog.log(
          precert.rawData,
          issuerKeyHash.buffer.slice(issuerKeyHash.byteOffset, issuerKeyHash.byteOffset + 32) as ArrayBuffer,
        ),
      );
      // The serialised SCT already starts with its own length; the list adds the total.
      tbs.extensions.push(new x509.Extension(OID_SCT_LIST, false, octetString(Buffer.concat([u16(sct.length), sct]))));
      const leaf = await x509.X509CertificateGenerator.create(tbs);
      return Buffer.from(leaf.rawData);
    },
  };
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function octetString(content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x04]), derLength(content.length), content]);
}

function utf8String(text: string): Buffer {
  const content = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0c]), derLength(content.length), content]);
}
