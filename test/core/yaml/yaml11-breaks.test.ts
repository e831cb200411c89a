import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlMapping, toYamlText } from '../../../src/core/yaml/io.ts';

// U+0085, U+2028 and U+2029 are line breaks to YAML 1.1 (PyYAML: the AAM CLI) and not to YAML 1.2
// (AAM Trust). Raw in a plain scalar they would give the AAM CLI extra keys; test/interop/yaml11-writers
// reads the same texts with the AAM CLI's PyYAML.
const L = '\u2028';
const P = '\u2029';
const N = '\u0085';

describe('toYamlText: strings with YAML 1.1 line breaks', () => {
  it('writes each break as its escape inside double quotes, so no raw break is left', () => {
    const token = `t${L}  official:${L}    token:${L}      aam_attacker`;
    const text = toYamlText({ tokens: { shady: { token } } });
    assert.doesNotMatch(text, /[\u0085\u2028\u2029]/);
    assert.equal(text, 'tokens:\n  shady:\n    token: "t\\L  official:\\L    token:\\L      aam_attacker"\n');
  });
  it('escapes U+0085 and U+2029 too, and breaks in keys', () => {
    const text = toYamlText({ [`a${P}b`]: `x${N}y${P}z` });
    assert.equal(text, '"a\\Pb": "x\\Ny\\Pz"\n');
  });
  it('reads back as the same strings', () => {
    const value = { tokens: { [`corp${L}x`]: { token: `t${L}${N}${P}'"\\ # :`, url: 'https://corp.example' } } };
    assert.deepEqual(parseYamlMapping(toYamlText(value), 'test', 'CONFIG_INVALID'), value);
  });
  it('leaves other strings as they were written', () => {
    assert.equal(
      toYamlText({ a: 'yes', b: '2026-01-01', c: 'plain', d: 'x\ny' }),
      "a: 'yes'\nb: '2026-01-01'\nc: plain\nd: |-\n  x\n  y\n",
    );
  });
});
