import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigText } from '../../../src/core/config/validate.ts';

// A registry name is written as a key of credentials.yaml, which the AAM CLI reads as YAML 1.1 (U+0085,
// U+2028 and U+2029 end a line there), and shown in prompts, where bidi and invisible characters mislead.
const HIDDEN = ['\u2028', '\u2029', '\u0085', '\u202e', '\u200b', '\u0007'];
const quoted = (text: string) =>
  JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function messages(text: string): string[] {
  return validateConfigText(text).diagnostics.map((d) => d.message);
}

describe('config validation: control, invisible and line-separator characters', () => {
  it('accepts ordinary registry names and issuer URLs', () => {
    const text =
      'registries:\n  - name: corp-internal.v2 (eu)\n    url: https://corp.example\n    type: http\nsecurity:\n  allowed_issuers:\n    - https://accounts.google.com\n  trusted_registries: [corp-internal.v2 (eu)]\n';
    assert.deepEqual(messages(text), []);
  });
  for (const ch of HIDDEN) {
    const code = `U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    it(`flags ${code} in a registry name, a registry list and an issuer`, () => {
      const name = quoted(`corp${ch}x`);
      const issuer = quoted(`https://issuer.example${ch}x`);
      const text = `registries:\n  - name: ${name}\n    url: https://corp.example\n    type: http\nsecurity:\n  allowed_issuers:\n    - ${issuer}\n  allowed_registries: [${name}]\n  trusted_identities:\n    - identity: a@example.com\n      issuer: ${issuer}\n`;
      const found = messages(text);
      assert.equal(
        found.filter((m) => /without control, invisible, line-separator or bidirectional/.test(m)).length,
        2,
        found.join('\n'),
      );
      assert.equal(found.filter((m) => /must be an issuer URL/.test(m)).length, 2, found.join('\n'));
    });
  }
});
