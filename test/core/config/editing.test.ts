import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configCompletions } from '../../../src/core/config/completion.ts';
import { addToListEdit, applyConfigEdits } from '../../../src/core/config/edit.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { anchoredSuggestion } from '../../../src/core/policy/identity.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';

/** Completion labels at the `|` in `text`. */
const at = (text: string) => configCompletions(text.replace('|', ''), text.indexOf('|')).map((c) => c.label);

describe('config completion from the schema', () => {
  it('offers the top-level keys', () => {
    assert.deepEqual(at('|'), [
      'default_platform',
      'active_platforms',
      'registries',
      'security',
      'author',
      'publish',
      'sources',
      'removed_defaults',
    ]);
  });
  it('offers security keys not yet present, while typing one', () => {
    const labels = at('security:\n  require_signature: true\n  req|');
    assert.ok(labels.includes('require_checksum'));
    assert.ok(!labels.includes('require_signature'));
  });
  it('offers enum values and booleans for a key', () => {
    assert.deepEqual(at('security:\n  on_signature_failure: |'), ['warn', 'error', 'ignore']);
    assert.deepEqual(at('security:\n  require_signature: |'), ['true', 'false']);
  });
  it('knows where it is inside list items and nested mappings', () => {
    assert.deepEqual(at('registries:\n  - name: team\n    |'), ['url', 'type', 'default', 'key_id']);
    assert.deepEqual(at('registries:\n  - name: team\n    type: |'), ['local', 'git', 'http']);
    assert.deepEqual(at('registries:\n  - |'), ['name', 'url', 'type', 'default', 'key_id']);
    assert.deepEqual(at('security:\n  install_policy:\n    |'), ['allowed_scopes', 'require_tag']);
  });
  it('marks the default value and carries the schema description', () => {
    const [warn] = configCompletions(
      'security:\n  on_signature_failure: ',
      'security:\n  on_signature_failure: '.length,
    );
    assert.equal(warn?.detail, 'default');
    assert.match(warn?.documentation ?? '', /invalid or its signer is not trusted/);
  });
});

describe('config quick fixes, applied at their exact ranges', () => {
  /** Applies the fix of the first diagnostic with `code` to `text`. */
  function fix(text: string, code: string): string {
    const { diagnostics } = validateConfigText(text);
    const source = new YamlSource(text);
    const d = diagnostics.find((x) => x.code === code);
    assert.ok(d?.fix, `no fix for ${code}: ${JSON.stringify(diagnostics)}`);
    const start = source.offset(d.range.start);
    const end = source.offset(d.range.end);
    return text.slice(0, start) + d.fix.replacement + text.slice(end);
  }
  it('renames an unknown key to its suggestion', () => {
    assert.equal(
      fix('security:\n  requre_signature: true # yes\n', 'UNKNOWN_KEY'),
      'security:\n  require_signature: true # yes\n',
    );
  });
  it('replaces a mistyped enum value', () => {
    assert.equal(
      fix('security:\n  on_signature_failure: eror\n', 'INVALID_VALUE'),
      'security:\n  on_signature_failure: error\n',
    );
  });
  it('normalises a spaced fingerprint, replacing the quotes too', () => {
    assert.equal(
      fix(
        'security:\n  trusted_keys:\n    - "abcd 1234 ef56 7890 abcd 1234 ef56 7890 abcd 1234"\n',
        'FINGERPRINT_FORMAT',
      ),
      'security:\n  trusted_keys:\n    - ABCD1234EF567890ABCD1234EF567890ABCD1234\n',
    );
  });
  it('anchors a regular expression to the pattern it meant, quoted so YAML does not read an alias', () => {
    const fixed = fix("security:\n  trusted_identities:\n    - '^.*@example\\.com$'\n", 'IDENTITY_INVALID');
    assert.equal(fixed, 'security:\n  trusted_identities:\n    - "*@example.com"\n');
    assert.deepEqual(validateConfigText(fixed).diagnostics, []);
  });
  it('drops padding and trailing dots', () => {
    assert.equal(anchoredSuggestion(' alice@example.com. '), 'alice@example.com');
    assert.equal(anchoredSuggestion('*'), undefined);
  });
});

describe('adding to a list of a config file', () => {
  it('appends when the file sets the list', () => {
    assert.deepEqual(
      addToListEdit({ security: { trusted_keys: ['A'] } }, ['A', 'B'], ['security', 'trusted_keys'], 'C'),
      { op: 'add-to-list', path: ['security', 'trusted_keys'], value: 'C' },
    );
  });
  it('starts from the entries in effect when the file does not set it (lists replace on merge)', () => {
    const edit = addToListEdit(
      { security: {} },
      ['*@example.com', 'github:acme'],
      ['security', 'trusted_identities'],
      'bob@partner.example',
    );
    assert.deepEqual(edit, {
      op: 'set',
      path: ['security', 'trusted_identities'],
      value: ['*@example.com', 'github:acme', 'bob@partner.example'],
    });
    assert.equal(
      applyConfigEdits('# keep me\nsecurity: {}\n', [edit]),
      '# keep me\nsecurity:\n  trusted_identities:\n    - "*@example.com"\n    - github:acme\n    - bob@partner.example\n',
    );
  });
});
