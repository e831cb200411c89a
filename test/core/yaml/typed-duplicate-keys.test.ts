import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLockText } from '../../../src/core/lockfile/lockfile.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';

/**
 * Keys of different YAML types that become one property (`1000:` and `'1000':`, `1.0:` and `'1':`, `~:` and
 * `'':`) are a duplicate key, as any repeated key is (yaml-review F3): read as an object, the last one silently
 * won — one lock entry verified where aam (PyYAML keeps int 1000 and str '1000' apart) sees two.
 */
describe('duplicate keys compared as the properties they become', () => {
  it('refuses keys of two types that name one property', () => {
    for (const [first, second] of [
      ['1000', "'1000'"],
      ['1.0', '"1"'],
      ['true', "'true'"],
      ['~', "''"],
      ['0x10', '16'],
    ])
      assert.deepEqual(
        new YamlSource(`${first}: a\n${second}: b\n`).doc.errors.map((e) => e.code),
        ['DUPLICATE_KEY'],
        `${first} / ${second}`,
      );
    assert.deepEqual(new YamlSource("1000: a\n'1001': b\n").doc.errors, []);
  });

  it('in a lock file and a config', () => {
    const entry = (version: string) =>
      `    version: ${version}\n    source: team\n    checksum: sha256:${'a'.repeat(64)}\n`;
    assert.throws(
      () =>
        parseLockText(
          `lockfile_version: 1\npackages:\n  1000:\n${entry('6.6.6')}  '1000':\n${entry('1.0.0')}`,
          'aam-lock.yaml',
        ),
      /Map keys must be unique/,
    );
    const config = validateConfigText("security:\n  signature_threshold:\n    1000: 3\n    '1000': 1\n");
    assert.equal(config.value, undefined);
    assert.deepEqual(
      config.diagnostics.map((d) => d.code),
      ['YAML_SYNTAX'],
    );
  });
});
