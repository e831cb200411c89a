import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { startSession } from './harness.ts';
import type { Session } from './harness.ts';

describe('the trust-policy editors in a real VS Code', () => {
  let s: Session;
  let form: FrameLocator;
  let original: string;
  const policyFile = () => join(s.world.workspace, '.aam', 'config.yaml');
  before(async () => {
    s = await startSession({ trusted: true });
    original = await readFile(policyFile(), 'utf8');
  });
  after(async () => s?.close());

  it('opens the project policy in the form editor', async () => {
    await s.command('AAM: Open Trust Policy');
    await s.pick('Project policy');
    form = s.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await form.locator('#require_signature').waitFor();
    await form.locator('#trusted_identities-source', { hasText: 'Inherited' }).waitFor();
    // Its tab says what it is, apart from the text editor's config.yaml.
    await s.page.locator('.tab.active[aria-label^="Project policy (form)"]').waitFor();
    // Every security key is there: the ones the form does not edit, with their values, as text.
    await form.locator('#more-install_policy pre', { hasText: 'require_tag: false' }).waitFor();
    await form.locator('#more-blocked_packages pre', { hasText: '- @demo/abandoned' }).waitFor();
    // A key this file does not set shows what is in effect (here the default) and where it comes from.
    await form.locator('#more-publish_policy pre', { hasText: 'require_approval: false' }).waitFor();
    await form.locator('#signer-error').waitFor();
    console.log(`screenshot: ${await s.shot('20-policy-form')}`);
  });

  it('previews the consequence of an edit before it is saved', async () => {
    await form.locator('#require_signature').click();
    await form.locator('#what-if.visible', { hasText: '1 package would fail: @community/snippets' }).waitFor();
    await form.locator('#what-if', { hasText: 'unsigned (pass) → unsigned (fail)' }).waitFor();
    await s.page.locator('.tab.active.dirty').waitFor();
    console.log(`screenshot: ${await s.shot('21-policy-what-if')}`);
  });

  it('adds a trusted identity with inline validation, keeping the inherited entries', async () => {
    const input = form.locator('#trusted_identities-input input');
    await input.fill('*@gmail.com');
    await form.locator('#trusted_identities-error', { hasText: 'public mail provider' }).waitFor();
    await input.fill('*');
    await form.locator('#trusted_identities-add').click();
    await form.locator('#trusted_identities-error', { hasText: 'only a whole-domain wildcard' }).waitFor();
    await input.fill('bob@partner.example');
    await form.locator('#trusted_identities-add').click();
    await form.locator('#trusted_identities-entries li', { hasText: 'bob@partner.example' }).waitFor();
    await form.locator('#trusted_identities-entries li', { hasText: 'github:acme' }).locator('vscode-button').waitFor();
  });

  it('saves YAML with the comments intact, and the Verification view follows', async () => {
    await s.page.keyboard.press('Control+S');
    await s.page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const saved = await readFile(policyFile(), 'utf8');
    for (const comment of ['# Project policy: committed with the project', '# Never install these in this project.'])
      assert.ok(saved.includes(comment), `lost: ${comment}\n${saved}`);
    assert.match(saved, /require_signature: true/);
    assert.match(saved, /trusted_identities:\n\s+- "\*@example\.com"\n\s+- github:acme\n\s+- bob@partner\.example/);
    await s.page
      .locator(
        '.part.sidebar .monaco-list-row[aria-label^="@community/snippets "][aria-label*="require_signature is true"]',
      )
      .waitFor();
    await form.locator('#what-if.visible').waitFor({ state: 'hidden' });
    console.log(`screenshot: ${await s.shot('22-policy-saved')}`);
  });

  it("undoes through VS Code's own undo, back to the original text", async () => {
    await form.locator('#require_signature').click({ trial: true });
    await s.page.keyboard.press('Control+Z');
    await s.page.keyboard.press('Control+Z');
    await form
      .locator('#trusted_identities-entries li', { hasText: 'bob@partner.example' })
      .waitFor({ state: 'detached' });
    await s.page.keyboard.press('Control+S');
    await s.page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    assert.equal(await readFile(policyFile(), 'utf8'), original);
    await s.page
      .locator('.part.sidebar .monaco-list-row[aria-label^="@community/snippets "][aria-label*="not signed."]')
      .waitFor();
  });

  it('in the text editor: a typo is flagged as you type, and its quick fix renames the key', async () => {
    await form.locator('vscode-button', { hasText: 'Open in Text Editor' }).click();
    const editor = s.page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.waitFor();
    await editor.click();
    await s.page.keyboard.press('Control+End');
    await s.page.keyboard.type('\n  requre_signature: true', { delay: 5 });
    const squiggle = s.page.locator('.editor-group-container.active .squiggly-error').first();
    await squiggle.waitFor();
    const fix = await s.quickFix('Rename to "require_signature"');
    console.log(`screenshot: ${await s.shot('23-config-quick-fix')}`);
    await fix.click();
    await s.page
      .locator('.editor-group-container.active .view-line', { hasText: /^\s*require_signature:\strue$/ })
      .waitFor();
    await s.lens('If you save now: 1 package would fail');
    console.log(`screenshot: ${await s.shot('24-config-codelens')}`);
  });

  it('a key hover shows the value being typed, not the saved one', async () => {
    await s.page
      .locator('.editor-group-container.active .view-line', { hasText: /^\s*require_signature:\strue$/ })
      .click();
    await s.page.keyboard.press('Home');
    const hover = await s.hover('Effective:');
    assert.match(await hover.innerText(), /Effective:\s*true\s*— from .*config\.yaml \(unsaved\)/);
    await s.page.keyboard.press('Escape');
  });

  it('"Edit as text" opens the text editor at the key', async () => {
    await s.page.locator('.tab[aria-label^="Project policy (form)"]').click();
    await form.locator('#more-install_policy vscode-button', { hasText: 'Edit as text' }).click();
    await s.page.locator('.editor-group-container.active .view-line', { hasText: /^\s*install_policy:$/ }).waitFor();
    // The cursor is on that key's line (the status bar's "Ln N, Col M").
    const line = original.split('\n').findIndex((l) => /^\s*install_policy:/.test(l)) + 1;
    await s.page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col \\d+`) }).waitFor();
  });
});
