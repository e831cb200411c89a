import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlMapping, toYamlText } from '../../../src/core/yaml/io.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { parseManifest } from '../../../src/core/package/manifest.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';

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

// A raw break in a text AAM Trust reads: PyYAML (aam) ends a comment or a plain scalar there, the yaml library
// (YAML 1.2) does not, so after one the two tools read different keys. Neither writes one raw; reading refuses it.
describe('reading a text that holds a raw YAML 1.1 line break', () => {
  const hidden = (brk: string) =>
    `default_platform: claude # team defaults${brk}default_platform: codex${brk}registries:${brk}- name: evil\n`;

  for (const [name, brk] of [
    ['U+0085', N],
    ['U+2028', L],
    ['U+2029', P],
  ] as const)
    it(`${name} in a comment: a config error where it is, not a comment`, () => {
      const result = validateConfigText(hidden(brk));
      assert.equal(result.value, undefined);
      const [error] = result.diagnostics;
      assert.equal(error?.code, 'YAML_SYNTAX');
      assert.equal(error?.severity, 'error');
      assert.match(
        error!.message,
        new RegExp(
          `^${name.replace('+', '\\+')} outside quotes is a line break to aam \\(YAML 1\\.1\\) and not to AAM Trust`,
        ),
      );
      assert.deepEqual(error!.range.start, { line: 0, character: 40 });
    });

  it('in a lock file or a manifest: not valid YAML', () => {
    const lock = `lockfile_version: 1\npackages:\n  hello: # ${L}  evil:\n    version: 1.0.0\n`;
    assert.throws(
      () => parseYamlMapping(lock, 'aam-lock.yaml', 'LOCKFILE_INVALID'),
      /U\+2028 outside quotes is a line break to aam/,
    );
    assert.throws(
      () => parseManifest(`name: hello${N}version: 6.6.6\nversion: 1.0.0\n`, 'aam.yaml'),
      /U\+0085 outside quotes is a line break to aam/,
    );
  });

  it('raw inside quotes, as aam writes it (PyYAML safe_dump with allow_unicode), it is read', () => {
    // PyYAML writes {'description': 'Line one\u2028Line two'} as this, and reads it back as that string.
    const written = `description: 'Line one${L}  Line two'\nname: odd\n`;
    assert.deepEqual(new YamlSource(written).doc.errors, []);
    assert.equal(parseYamlMapping(written, 'aam.yaml', 'MANIFEST_INVALID').name, 'odd');
    assert.deepEqual(new YamlSource(`a: "x${P}y" # fine\n`).doc.errors, []);
    assert.match(new YamlSource(`a: 'x' # c${L}b: 'y${L}z'\n`).doc.errors[0]!.message, /^U\+2028 outside quotes/);
    assert.match(
      new YamlSource(`a: |\n  x${L}y\n`).doc.errors[0]!.message,
      /^U\+2028 outside quotes/,
      'a block scalar',
    );
    assert.match(new YamlSource(`'k${N}': 1\nplain${L}key: 2\n`).doc.errors[0]!.message, /^U\+2028 outside quotes/);
  });

  it('escaped in double quotes it is the character to both, and is read', () => {
    assert.deepEqual(parseYamlMapping('note: "a\\Lb" # c\n', 'test', 'CONFIG_INVALID'), { note: `a${L}b` });
  });
});
