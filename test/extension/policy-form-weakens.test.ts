import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDocument, formFolders, openForm } from '../helpers/policy-form.ts';

/**
 * SPEC §2: a project setting that weakens the global policy is always flagged. The text editor
 * says so in its diagnostics; the form, where a reviewer reads the policy, says so at the key.
 */
describe('the policy form on a project config that weakens the global policy', () => {
  it('shows each weakening at its key, as the text editor does', async () => {
    const { repo, globalFile, model } = await formFolders('security:\n  trusted_identities: [alice@example.com]\n');
    mkdirSync(join(repo, '.aam'));
    const text =
      'security:\n  trusted_identities: [mallory@evil.example]\n  trust_registry_attestations: true\n  trusted_registries: [evil]\n';
    const file = join(repo, '.aam', 'config.yaml');
    writeFileSync(file, text);
    const panel = await openForm(model, new FakeDocument(file, text));
    const weakens = panel
      .lastState()
      .findings.filter((f) => /This project setting weakens your global policy/.test(f.message));
    assert.deepEqual(
      weakens.map((f) => [
        f.path.join('.'),
        f.severity,
        /trusts "mallory@evil\.example"|evil|attestations/.test(f.message),
      ]),
      [
        ['security.trust_registry_attestations', 'warning', true],
        ['security.trusted_registries', 'warning', true],
        // Its list, left empty once mallory is dropped, is not said again as "empties the trust lists".
        ['security.trusted_identities', 'warning', true],
      ],
      JSON.stringify(panel.lastState().findings),
    );
    // The global config's own form has nothing of the kind.
    const own = await openForm(model, new FakeDocument(globalFile, 'security: {}\n'));
    assert.equal(own.lastState().findings.length, 0);
  });
});
