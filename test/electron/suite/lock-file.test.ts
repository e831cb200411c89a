import * as assert from 'node:assert/strict';
import { describe, it, before, after } from 'mocha';
import * as vscode from 'vscode';
import { aamApi, closeAllEditors, diagnosticsWhere, entryLine, globalConfigUri, lockFileUri, show } from './world.ts';

/** What does not pass in the demo, by package: the diagnostic code and severity on its lock-file entry. */
const FINDINGS: [string, string, vscode.DiagnosticSeverity][] = [
  ['@community/prompt-pack', 'UNTRUSTED_SIGNER', vscode.DiagnosticSeverity.Warning],
  ['@demo/modified-locally', 'FILES_MODIFIED', vscode.DiagnosticSeverity.Error],
  ['@demo/agent-rules', 'DEPLOYED_MODIFIED', vscode.DiagnosticSeverity.Error],
  ['@demo/republished', 'REGISTRY_CHANGED', vscode.DiagnosticSeverity.Error],
  // Installed before the project's blocked_packages named it.
  ['@demo/abandoned', 'PACKAGE_BLOCKED', vscode.DiagnosticSeverity.Error],
  ['@community/house-style', 'HIDDEN_CONTENT', vscode.DiagnosticSeverity.Warning],
  ['@community/hotfix', 'INSTALLED_WITHOUT_VERIFICATION', vscode.DiagnosticSeverity.Warning],
  // The demo's CLAUDE.md holds a section nobody deploys beside these three packages' own.
  ['@demo/code-review', 'SECTION_UNOWNED', vscode.DiagnosticSeverity.Warning],
  ['@demo/agent-rules', 'SECTION_UNOWNED', vscode.DiagnosticSeverity.Warning],
  ['@community/house-style', 'SECTION_UNOWNED', vscode.DiagnosticSeverity.Warning],
];

export function lockFileTests(): void {
  describe('The lock file', () => {
    let document: vscode.TextDocument;
    let diagnostics: vscode.Diagnostic[];
    before(async () => {
      await (await aamApi()).refresh();
      document = (await show(lockFileUri())).document;
      diagnostics = await diagnosticsWhere(lockFileUri(), 'the lock-file diagnostics', (d) => d.length > 0);
    });
    after(closeAllEditors);

    const on = (name: string) => diagnostics.filter((d) => d.message.startsWith(`${name}: `));

    it('has one diagnostic for each thing that does not pass, on the entry of its package', () => {
      const seen = diagnostics.map((d) => `${d.message.split(': ')[0]} ${String(d.code)}`).sort();
      assert.deepEqual(seen, FINDINGS.map(([name, code]) => `${name} ${code}`).sort());
      for (const [name, code, severity] of FINDINGS) {
        const diagnostic = on(name).find((d) => d.code === code);
        assert.ok(diagnostic, `${name} ${code}`);
        assert.equal(diagnostic!.severity, severity, `${name}: ${vscode.DiagnosticSeverity[diagnostic!.severity]}`);
        assert.equal(diagnostic!.range.start.line, entryLine(document, name), `${name}'s diagnostic is on its entry`);
      }
    });

    it('links the untrusted signer to the rule that decided, in the global policy', async () => {
      const [diagnostic] = on('@community/prompt-pack');
      assert.match(diagnostic!.message, /mallory@evil\.example/);
      const related = diagnostic!.relatedInformation?.[0];
      assert.ok(related, 'the diagnostic points at the rule');
      assert.equal(related.location.uri.fsPath, globalConfigUri().fsPath);
      const config = await vscode.workspace.openTextDocument(related.location.uri);
      assert.match(config.lineAt(related.location.range.start.line).text, /^\s+trusted_identities:/);
    });

    it('says in a hover who signed the untrusted package and what would trust it', async () => {
      const line = entryLine(document, '@community/prompt-pack');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        new vscode.Position(line, 5),
      );
      const text = hovers
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : c.value))
        .join('\n');
      assert.match(text, /\*\*Signed by:\*\* `mallory@evil\.example`/);
      assert.match(text, /\*\*Rejected by:\*\* `trusted_identities`/);
      assert.match(text, /command:aam\.trustSigner\?/);
    });

    it('offers "Trust this signer" for the untrusted package, in the project config first', async () => {
      const [diagnostic] = on('@community/prompt-pack');
      const actions = await codeActions(document.uri, diagnostic!.range);
      const trust = actions.filter((a) => a.command?.command === 'aam.trustSigner');
      assert.equal(trust.length, 2, trust.map((a) => a.title).join(', '));
      // The narrowest entry: the exact identity, pinned to the issuer that certified it.
      const entry = String.raw`mallory@evil\.example \(issuer http://127\.0\.0\.1:\d+/oidc\)`;
      assert.match(trust[0]!.title, new RegExp(`^Trust this signer: add ${entry} to the project config$`));
      assert.match(trust[1]!.title, new RegExp(`^Trust this signer: add ${entry} to the global config$`));
      const [project] = trust;
      assert.equal(project!.isPreferred, true);
      const [args] = project!.command!.arguments as [{ packageName: string; pattern: string; target: string }];
      assert.equal(args.packageName, '@community/prompt-pack');
      assert.equal(args.target, 'project');
      assert.match(args.pattern, /mallory@evil\.example/);
    });

    it('offers to restore the edited deployed copy, and never to trust a tampered package', async () => {
      const restore = await codeActions(document.uri, on('@demo/agent-rules')[0]!.range);
      const fix = restore.find((a) => a.command?.command === 'aam.restoreDeployed');
      assert.ok(fix, restore.map((a) => a.title).join(', '));
      assert.equal(fix.title, 'Restore the deployed copies of @demo/agent-rules from its verified archive');
      assert.deepEqual((fix.command!.arguments![0] as { packageName: string }).packageName, '@demo/agent-rules');
      const tampered = await codeActions(document.uri, on('@demo/modified-locally')[0]!.range);
      assert.deepEqual(
        tampered.filter((a) => a.command?.command === 'aam.trustSigner').map((a) => a.title),
        [],
      );
    });
  });
}

async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
}
