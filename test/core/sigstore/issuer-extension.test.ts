import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { issuerOfExtensions } from '../../../src/core/sigstore/fast/certificate.ts';

/** The DER UTF8String of extension 1.3.6.1.4.1.57264.1.8 holding `text`. */
function utf8String(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0c, body.length]), body]);
}

// "Trust this signer" writes the issuer into a config the AAM CLI reads as YAML 1.1, where U+0085,
// U+2028 and U+2029 end a line; invisible format characters would let one issuer pass for another.
const REFUSED: Record<string, string> = {
  'U+2028 (line separator)': '\u2028',
  'U+2029 (paragraph separator)': '\u2029',
  'U+0085 (next line)': '\u0085',
  'U+202E (right-to-left override)': '\u202e',
  'U+2066 (left-to-right isolate)': '\u2066',
  'U+200B (zero-width space)': '\u200b',
  'U+FEFF (byte order mark)': '\ufeff',
  LF: '\n',
};

describe('the OIDC issuer of a Fulcio certificate', () => {
  it('is read from the v2 extension, or the v1 raw bytes', () => {
    assert.equal(
      issuerOfExtensions(utf8String('https://accounts.google.com'), undefined),
      'https://accounts.google.com',
    );
    assert.equal(
      issuerOfExtensions(undefined, Buffer.from('https://token.actions.githubusercontent.com')),
      'https://token.actions.githubusercontent.com',
    );
    assert.equal(issuerOfExtensions(undefined, undefined), undefined);
  });
  for (const [name, ch] of Object.entries(REFUSED)) {
    it(`makes the certificate invalid when it holds ${name}, in either extension`, () => {
      const issuer = `https://issuer.example${ch}  on_signature_failure:${ch}    ignore`;
      assert.throws(
        () => issuerOfExtensions(utf8String(issuer), undefined),
        /issuer holds control, invisible or line-separator/,
      );
      assert.throws(
        () => issuerOfExtensions(undefined, Buffer.from(issuer)),
        /issuer holds control, invisible or line-separator/,
      );
    });
  }
});
