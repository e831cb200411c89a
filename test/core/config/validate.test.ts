import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import type { ConfigDiagnostic } from '../../../src/core/config/diagnostics.ts';
import { cpuMsSince } from '../../helpers/cpu.ts';

/** The diagnostics as "line:col code" with 1-based line and column, as `policy check` prints them. */
function where(diagnostics: ConfigDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`);
}

describe('config validation: schema errors at exact positions', () => {
  it('reports an unknown security key at the key, with a did-you-mean fix, as an error', () => {
    const text = 'security:\n  requre_signature: true\n';
    const [d, ...rest] = validateConfigText(text).diagnostics;
    assert.equal(rest.length, 0);
    assert.equal(d!.code, 'UNKNOWN_KEY');
    assert.equal(d!.severity, 'error');
    assert.deepEqual(d!.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 18 } });
    assert.match(d!.message, /Did you mean "require_signature"\?/);
    assert.equal(d!.fix?.replacement, 'require_signature');
  });
  it('reports unknown keys outside security as warnings', () => {
    const d = validateConfigText('default_platfrom: cursor\n').diagnostics;
    assert.deepEqual(where(d), ['1:1 UNKNOWN_KEY']);
    assert.equal(d[0]!.severity, 'warning');
    assert.match(d[0]!.message, /default_platform/);
  });
  it('checks signature_threshold: a count from 1, or patterns with counts, each error at its place', () => {
    const text =
      'security:\n  signature_threshold:\n    "@acme/*": 2\n    "acme*": 3\n    "*": 0\n  allow_delegation: yes please\n';
    const d = validateConfigText(text).diagnostics;
    assert.deepEqual(where(d), ['4:5 INVALID_VALUE', '5:10 INVALID_VALUE', '6:21 WRONG_TYPE']);
    assert.equal(
      d[0]!.message,
      '"acme*" in security.signature_threshold must be a package name pattern: name, @scope/name, @scope/* or *.',
    );
    assert.deepEqual(where(validateConfigText('security:\n  signature_threshold: 0\n').diagnostics), [
      '2:24 INVALID_VALUE',
    ]);
    assert.deepEqual(
      validateConfigText('security:\n  signature_threshold: 2\n  keyserver: hkps://keys.example\n').diagnostics,
      [],
    );
  });
  it('says require_checksum cannot be disabled, at the value', () => {
    const d = validateConfigText('# policy\nsecurity:\n  require_checksum: false\n').diagnostics;
    assert.deepEqual(where(d), ['3:21 CHECKSUM_REQUIRED']);
    assert.match(d[0]!.message, /cannot be disabled/);
  });
  it('reports a bad enum with the allowed values and a suggestion', () => {
    const d = validateConfigText('security:\n  on_signature_failure: eror\n').diagnostics;
    assert.deepEqual(where(d), ['2:25 INVALID_VALUE']);
    assert.match(d[0]!.message, /warn, error, ignore/);
    assert.equal(d[0]!.fix?.replacement, 'error');
  });
  it('reports short fingerprints inside lists at the item', () => {
    const d = validateConfigText(
      'security:\n  trusted_keys:\n    - ABCD1234\n    - ABCD1234EF567890ABCD1234EF567890ABCD1234\n',
    ).diagnostics;
    assert.deepEqual(where(d), ['3:7 INVALID_VALUE']);
    assert.match(d[0]!.message, /40-hex-digit/);
  });
  it('accepts fingerprints written with spaces, offering a normalising hint', () => {
    const d = validateConfigText(
      'security:\n  trusted_keys:\n    - "ABCD 1234 EF56 7890 ABCD  1234 EF56 7890 ABCD 1234"\n',
    ).diagnostics;
    assert.deepEqual(where(d), ['3:7 FINGERPRINT_FORMAT']);
    assert.equal(d[0]!.severity, 'hint');
  });
  it('reports wrong types, including YAML strings where booleans are expected', () => {
    const d = validateConfigText('security:\n  require_signature: "yes"\n').diagnostics;
    assert.deepEqual(where(d), ['2:22 WRONG_TYPE']);
    assert.match(d[0]!.message, /boolean/);
  });
  it('reports a missing required key at the list item', () => {
    const d = validateConfigText('registries:\n  - name: local\n').diagnostics;
    assert.deepEqual(where(d), ['2:5 MISSING_KEY']);
    assert.match(d[0]!.message, /"url"/);
  });
  it('accepts a complete, valid configuration without findings', () => {
    const text = [
      'default_platform: claude',
      'active_platforms: [claude, cursor]',
      'registries:',
      '  - name: team',
      '    url: file:///srv/aam',
      '    default: true',
      'author: { name: Alice, email: alice@example.com }',
      'publish: { default_scope: acme }',
      'security:',
      '  require_signature: true',
      '  on_signature_failure: error',
      '  signing_method: gpg',
      '  trusted_identities: ["*@example.com", github:acme/tools, gitlab:acme]',
      '  trusted_keys: [ABCD1234EF567890ABCD1234EF567890ABCD1234]',
      '  allowed_issuers: [https://accounts.google.com]',
      '  blocked_packages: ["@evil/*", bad-pkg]',
      '  install_policy: { allowed_scopes: [acme], require_tag: true }',
      '',
    ].join('\n');
    assert.deepEqual(validateConfigText(text).diagnostics, []);
  });
});

describe('config validation: policy rules', () => {
  it('rejects invalid identity patterns and warns on over-broad ones', () => {
    const d = validateConfigText(
      'security:\n  trusted_identities:\n    - "*"\n    - "*@gmail.com"\n    - alice@example.com\n',
    ).diagnostics;
    assert.deepEqual(where(d), ['3:7 IDENTITY_INVALID', '4:7 IDENTITY_BROAD']);
    assert.equal(d[0]!.severity, 'error');
    assert.equal(d[1]!.severity, 'warning');
  });
  it('warns when verification is skipped or the transparency log is off', () => {
    const d = validateConfigText(
      'security:\n  on_signature_failure: ignore\n  verify_transparency_log: false\n',
    ).diagnostics;
    assert.deepEqual(where(d), ['2:25 POLICY_IGNORE', '3:28 POLICY_NO_TLOG']);
  });
  it('flags duplicate registry names', () => {
    const d = validateConfigText(
      'registries:\n  - {name: a, url: "file:///x"}\n  - {name: a, url: "file:///y"}\n',
    ).diagnostics;
    assert.deepEqual(where(d), ['3:12 REGISTRY_DUPLICATE']);
  });
});

describe('config validation: hostile and broken input', () => {
  it('turns YAML syntax errors into diagnostics', () => {
    const d = validateConfigText('security:\n  trusted_keys: [a, b\n').diagnostics;
    assert.ok(d.length > 0);
    assert.ok(d.every((x) => x.code === 'YAML_SYNTAX'));
  });
  it('refuses alias bombs quickly', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const started = process.cpuUsage();
    const d = validateConfigText(`${lines.join('\n')}\n`).diagnostics;
    assert.deepEqual(
      d.map((x) => x.code),
      ['YAML_ALIASES'],
    );
    assert.ok(cpuMsSince(started) < 2000);
  });
  it('reports duplicate keys and non-mapping documents', () => {
    assert.deepEqual(
      validateConfigText('security: {}\nsecurity: {}\n').diagnostics.map((d) => d.code),
      ['YAML_SYNTAX'],
    );
    assert.deepEqual(
      validateConfigText('- a\n- b\n').diagnostics.map((d) => d.code),
      ['NOT_A_MAPPING'],
    );
  });
  it('treats an empty file as an empty config', () => {
    assert.deepEqual(validateConfigText('').diagnostics, []);
    assert.deepEqual(validateConfigText('# only a comment\n').diagnostics, []);
  });
});
