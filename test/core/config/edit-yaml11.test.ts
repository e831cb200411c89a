import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigEdits } from '../../../src/core/config/edit.ts';
import { mergeConfigFiles } from '../../../src/core/config/load.ts';
import { trustOptionsFor, trustPlanFor } from '../../../src/core/config/trust-entries.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';

// The AAM CLI reads the configs AAM Trust edits as YAML 1.1 (PyYAML), where U+0085, U+2028 and U+2029
// end a line and `yes` is a boolean; test/interop/yaml11-writers reads these texts with its PyYAML.
const L = '\u2028';
const GLOBAL =
  '# my policy\nsecurity:\n  on_signature_failure: error\n  require_signature: true\n  trusted_identities:\n    - bob@example.com\n';

describe('config edits: what YAML 1.1 would read otherwise', () => {
  it('writes an issuer holding U+2028 double-quoted with \\L, so it adds no key for the AAM CLI', () => {
    const issuer = `https://issuer.example${L}  on_signature_failure:${L}    ignore`;
    const signer = {
      type: 'sigstore' as const,
      identity: { san: 'alice@example.com', sanType: 'email' as const, issuer },
      tlog: undefined,
      signedAt: undefined,
    };
    const value = validateConfigText(GLOBAL).value;
    const config = mergeConfigFiles([{ layer: 'global', path: '/g', exists: true, diagnostics: [], value }], false);
    const plan = trustPlanFor(signer, trustOptionsFor(signer)[0]!, {
      layer: 'global',
      value,
      effective: config.security,
    });
    const written = applyConfigEdits(GLOBAL, plan.edits);
    assert.doesNotMatch(written, /[\u0085\u2028\u2029]/);
    assert.match(written, /issuer: "https:\/\/issuer\.example\\L {2}on_signature_failure:\\L {4}ignore"\n/);
    const read = validateConfigText(written).value as { security: Record<string, unknown> };
    assert.equal(read.security.on_signature_failure, 'error');
    assert.deepEqual(read.security.trusted_identities, ['bob@example.com', { identity: 'alice@example.com', issuer }]);
  });
  it('escapes U+0085 and U+2029 in a set value, and keeps the rest of the file as it was', () => {
    const written = applyConfigEdits(GLOBAL, [
      { op: 'set', path: ['security', 'gpg_home'], value: `/a\u0085b\u2029c` },
    ]);
    assert.equal(written, `${GLOBAL}  gpg_home: "/a\\Nb\\Pc"\n`);
  });
  it('double-quotes new words that YAML 1.1 reads as booleans or dates', () => {
    const written = applyConfigEdits('security:\n  gpg_key: old\n', [
      { op: 'set', path: ['security', 'gpg_key'], value: 'yes' },
      { op: 'add-to-list', path: ['security', 'allowed_registries'], value: 'on' },
      { op: 'add-to-list', path: ['security', 'allowed_registries'], value: '2026-01-01' },
      { op: 'add-to-list', path: ['security', 'allowed_registries'], value: 'alice' },
    ]);
    assert.equal(
      written,
      'security:\n  gpg_key: "yes"\n  allowed_registries:\n    - "on"\n    - "2026-01-01"\n    - alice\n',
    );
  });
  it('keeps the quoting a value already had when it is changed', () => {
    const written = applyConfigEdits("security:\n  gpg_key: 'old'\n", [
      { op: 'set', path: ['security', 'gpg_key'], value: 'yes' },
    ]);
    assert.equal(written, "security:\n  gpg_key: 'yes'\n");
  });
});
