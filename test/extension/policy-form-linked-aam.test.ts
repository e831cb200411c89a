import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FakeDocument, formFolders, openForm } from '../helpers/policy-form.ts';
import { logged } from '../helpers/vscode-mock.ts';

const GLOBAL = 'security:\n  require_signature: true\n  on_signature_failure: error\n';

/**
 * A repository commits `.aam` as a link to the user's `~/.aam`. Its "project policy" is then
 * the global one: the form must not write a level or a setting "for this project" into it,
 * as Trust Signer, Revert and `aam-trust policy level` refuse to.
 */
describe('the policy form, on a project whose .aam links to ~/.aam', () => {
  it('refuses every edit, saying why, and the global policy stays as it was', async () => {
    const { home, repo, globalFile, model } = await formFolders(GLOBAL);
    symlinkSync(join(home, '.aam'), join(repo, '.aam'));
    const projectFile = join(repo, '.aam', 'config.yaml');
    const doc = new FakeDocument(projectFile, readFileSync(projectFile, 'utf8'));
    const panel = await openForm(model, doc);

    logged.length = 0;
    await panel.send({ type: 'applyLevel', level: 'minimal' });
    await panel.send({
      type: 'edit',
      edit: { op: 'set', path: ['security', 'verify_transparency_log'], value: false },
    });
    await panel.send({ type: 'add', key: 'trusted_identities', value: 'mallory@evil.example' });
    doc.save();

    assert.equal(readFileSync(globalFile, 'utf8'), GLOBAL);
    const refusals = logged.filter((shown) =>
      /^\S+\.aam is a symbolic link to .*would change your global policy\. Nothing was written\. A project's/.test(
        shown,
      ),
    );
    assert.equal(refusals.length, 3, logged.join('\n'));
  });

  it("refuses too when the .aam folder is the project's own and its config.yaml links to the global one", async () => {
    const { repo, globalFile, model } = await formFolders(GLOBAL);
    mkdirSync(join(repo, '.aam'));
    const projectFile = join(repo, '.aam', 'config.yaml');
    // As git stores a link: relative.
    symlinkSync(relative(join(repo, '.aam'), globalFile), projectFile);
    const doc = new FakeDocument(projectFile, readFileSync(projectFile, 'utf8'));
    const panel = await openForm(model, doc);

    logged.length = 0;
    await panel.send({ type: 'applyLevel', level: 'minimal' });
    await panel.send({ type: 'add', key: 'trusted_identities', value: 'mallory@evil.example' });
    doc.save();

    assert.equal(readFileSync(globalFile, 'utf8'), GLOBAL);
    const refusals = logged.filter((shown) =>
      /^\S+config\.yaml is a symbolic link to .*would change your global policy\. Nothing was written\. A project's/.test(
        shown,
      ),
    );
    assert.equal(refusals.length, 2, logged.join('\n'));
  });

  it("edits a project's own config, and the global config itself", async () => {
    const { repo, globalFile, model } = await formFolders(GLOBAL);
    mkdirSync(join(repo, '.aam'));
    for (const file of [join(repo, '.aam', 'config.yaml'), globalFile]) {
      writeFileSync(file, GLOBAL);
      const doc = new FakeDocument(file, GLOBAL);
      const panel = await openForm(model, doc);
      await panel.send({
        type: 'edit',
        edit: { op: 'set', path: ['security', 'verify_transparency_log'], value: true },
      });
      doc.save();
      assert.match(readFileSync(file, 'utf8'), /verify_transparency_log: true/);
    }
  });
});
