import * as assert from 'node:assert/strict';
import { describe, it, before, afterEach } from 'mocha';
import * as vscode from 'vscode';
import { aamApi, closeAllEditors, diagnosticsWhere, globalConfigUri, projectConfigUri, show } from './world.ts';

/** Inserts `text` as a new line after the first line matching `after`; returns the new line's number. */
async function insertLine(editor: vscode.TextEditor, after: RegExp, text: string): Promise<number> {
  const document = editor.document;
  const line = [...Array(document.lineCount).keys()].find((l) => after.test(document.lineAt(l).text));
  assert.ok(line !== undefined, `a line matching ${after} in ${document.uri.fsPath}`);
  assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(line + 1, 0), `${text}\n`)));
  return line + 1;
}

function lineWith(document: vscode.TextDocument, text: string): number {
  const line = [...Array(document.lineCount).keys()].find((l) => document.lineAt(l).text.includes(text));
  assert.ok(line !== undefined, `a line with ${text} in ${document.uri.fsPath}`);
  return line;
}

/** The quick fixes offered where `diagnostic` is (the command's results do not say which diagnostic each fixes). */
function quickFixes(document: vscode.TextDocument, diagnostic: vscode.Diagnostic): Thenable<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
}

const titles = (actions: vscode.CodeAction[]) => actions.map((a) => a.title).join(', ') || 'none';

export function configTests(): void {
  describe('The trust policy files', () => {
    before(async () => {
      await (await aamApi()).refresh();
    });
    // Nothing a test types here is saved: the next test sees the policy of the demo.
    afterEach(closeAllEditors);

    it('flags an unknown security key as you type, and its quick fix renames it to the real one', async () => {
      const editor = await show(projectConfigUri());
      const line = await insertLine(editor, /^security:/, '  requre_signature: true');
      const [unknown] = await diagnosticsWhere(projectConfigUri(), 'UNKNOWN_KEY on the typo', (d) =>
        d.some((x) => x.code === 'UNKNOWN_KEY'),
      );
      assert.equal(unknown!.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(unknown!.range.start.line, line);
      assert.match(unknown!.message, /Did you mean "require_signature"\?/);
      const actions = await quickFixes(editor.document, unknown!);
      const rename = actions.find((a) => a.title === 'Rename to "require_signature"');
      assert.ok(rename, titles(actions));
      assert.equal(rename.isPreferred, true);
      assert.ok(rename.edit && (await vscode.workspace.applyEdit(rename.edit)));
      assert.equal(editor.document.lineAt(line).text, '  require_signature: true');
      await diagnosticsWhere(projectConfigUri(), 'no UNKNOWN_KEY once renamed', (d) =>
        d.every((x) => x.code !== 'UNKNOWN_KEY'),
      );
    });

    it('says above an unsaved policy change which packages it would change', async () => {
      const editor = await show(projectConfigUri());
      await insertLine(editor, /^security:/, '  require_signature: true');
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        editor.document.uri,
      );
      const whatIf = lenses.find((l) => l.command?.command === 'aam.showWhatIf');
      assert.ok(whatIf, lenses.map((l) => l.command?.title).join(', '));
      assert.equal(whatIf.command!.title, '$(beaker) If you save now: 1 package would fail: @community/snippets');
    });

    it('offers the allowed value a mistyped one resembles', async () => {
      const editor = await show(globalConfigUri());
      const line = lineWith(editor.document, 'on_signature_failure: warn');
      const at = editor.document.lineAt(line).text.indexOf('warn');
      await editor.edit((edit) => edit.replace(new vscode.Range(line, at, line, at + 4), 'wrn'));
      const [invalid] = await diagnosticsWhere(globalConfigUri(), 'INVALID_VALUE on "wrn"', (d) =>
        d.some((x) => x.code === 'INVALID_VALUE'),
      );
      assert.equal(invalid!.range.start.line, line);
      const actions = await quickFixes(editor.document, invalid!);
      assert.ok(
        actions.some((a) => a.title === 'Change to "warn"'),
        titles(actions),
      );
    });

    it('warns that a whole public mail domain is too broad to trust, and removes it', async () => {
      const editor = await show(globalConfigUri());
      const line = await insertLine(editor, /^\s+trusted_identities:/, '    - "*@gmail.com"');
      const diagnostics = await diagnosticsWhere(globalConfigUri(), 'IDENTITY_BROAD', (d) =>
        d.some((x) => x.code === 'IDENTITY_BROAD'),
      );
      const broad = diagnostics.find((d) => d.code === 'IDENTITY_BROAD')!;
      assert.equal(broad.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(broad.range.start.line, line);
      assert.match(broad.message, /everyone with an address at gmail\.com, a public mail provider/);
      const actions = await quickFixes(editor.document, broad);
      const remove = actions.find((a) => a.title === 'Remove "*@gmail.com" (it trusts no installed package)');
      assert.ok(remove?.edit && (await vscode.workspace.applyEdit(remove.edit)), titles(actions));
      assert.ok(!editor.document.getText().includes('gmail.com'));
      assert.match(editor.document.getText(), /^\s+- "\*@example\.com"/m);
      await diagnosticsWhere(globalConfigUri(), 'no IDENTITY_BROAD once removed', (d) =>
        d.every((x) => x.code !== 'IDENTITY_BROAD'),
      );
    });

    it('lists in a hover the installed packages a trust entry trusts', async () => {
      const editor = await show(globalConfigUri());
      const line = lineWith(editor.document, '"*@example.com"');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        editor.document.uri,
        new vscode.Position(line, editor.document.lineAt(line).text.indexOf('*') + 1),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      const trusted = /Currently trusts: (.*)\./.exec(text)?.[1];
      assert.ok(trusted, text);
      // Verified packages signed by alice@example.com (team-prompts beside the release key), and the one signed
      // by bob through her delegation; the tampered ones she signed are trusted by nothing.
      assert.deepEqual(trusted.split(', ').sort(), [
        '`@community/house-style@1.0.0`',
        '`@demo/code-review@1.0.0`',
        '`@demo/republished@1.0.0`',
        '`@demo/team-prompts@1.0.0`',
        '`@partner/lint-pack@1.0.0`',
        '`@team/lint-rules@1.0.0`',
      ]);
    });

    it('completes the values a setting allows, and the keys not yet set', async () => {
      const editor = await show(projectConfigUri());
      const line = await insertLine(editor, /^security:/, '  on_signature_failure: ');
      const values = await completions(editor.document, new vscode.Position(line, 24));
      for (const value of ['error', 'warn', 'ignore']) assert.ok(values.includes(value), values.join(', '));
      await editor.edit((edit) => edit.replace(editor.document.lineAt(line).range, '  '));
      const keys = await completions(editor.document, new vscode.Position(line, 2));
      assert.ok(keys.includes('require_signature') && keys.includes('trusted_identities'), keys.join(', '));
      // Already set in this file's security section: not offered again.
      assert.ok(!keys.includes('blocked_packages'), keys.join(', '));
    });
  });
}

async function completions(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    document.uri,
    position,
  );
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}
