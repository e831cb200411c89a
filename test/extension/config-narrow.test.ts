import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { validateConfigText } from '../../src/core/config/validate.ts';

useVscodeMock();
const { ConfigQuickFixes } = await import('../../src/extension/config-editing.ts');

// The mock's Range only holds its ends; the quick fixes match a finding to its diagnostic by range.
Object.assign(vscode.Range.prototype, {
  isEqual(this: vscode.Range, other: vscode.Range) {
    return JSON.stringify(this) === JSON.stringify(other);
  },
});

const GOOGLE = 'https://accounts.google.com';
const GLOBAL = '/home/u/.aam/config.yaml';

/** A package's report as the quick fix reads it: its signer, and the entry that trusted it, from `source`. */
const report = (name: string, san: string, pattern: string, source: string) => ({
  name,
  verdict: {
    signer: { type: 'sigstore', identity: { san, sanType: 'email', issuer: GOOGLE } },
    trustedBy: { list: 'trusted_identities', pattern, explanation: '', source },
  },
});

const workspace = (id: string, kind: 'project' | 'global', root: string, reports: unknown[]) => ({
  id,
  kind,
  label: id,
  paths: { root, aamDir: `${root}/.aam`, lockFile: `${root}/.aam/aam-lock.yaml` },
  reports,
});

/**
 * The quick fixes offered on the IDENTITY_BROAD finding of `file` with `text`, among open `workspaces`; each with
 * the text its edit leaves.
 */
function narrowings(file: string, text: string, workspaces: ReturnType<typeof workspace>[], restricted = false) {
  const finding = validateConfigText(text).diagnostics.find((d) => d.code === 'IDENTITY_BROAD');
  assert.ok(finding, 'the entry is flagged as broad');
  const uri = vscode.Uri.file(file);
  const range = new vscode.Range(
    finding.range.start.line,
    finding.range.start.character,
    finding.range.end.line,
    finding.range.end.character,
  );
  const features = { lastFindings: new Map([[uri.toString(), [finding]]]) };
  const model = {
    workspaces,
    restricted,
    globalConfigFile: GLOBAL,
    allReports: () => workspaces.flatMap((w) => w.reports.map((r) => ({ workspace: w, report: r }))),
    workspaceOfFile: (u: { fsPath: string }) => workspaces.find((w) => u.fsPath.startsWith(`${w.paths.aamDir}/`)),
  };
  const document = { uri, getText: () => text, positionAt: (offset: number) => new vscode.Position(0, offset) };
  const fixes = new ConfigQuickFixes(features as never, model as never);
  const diagnostic = { source: 'AAM Trust', code: 'IDENTITY_BROAD', range };
  const actions = fixes.provideCodeActions(document as never, range as never, { diagnostics: [diagnostic] } as never);
  return actions.map((action) => {
    const [title] = (action as unknown as vscode.CodeAction).args as [string];
    const edit = (action as unknown as { edit: vscode.WorkspaceEdit }).edit.replacements[0]!;
    return {
      title,
      text: text.slice(0, edit.range.start.character) + edit.text + text.slice(edit.range.end.character),
    };
  });
}

const pinnedAlice = `- identity: alice@gmail.com\n      issuer: ${GOOGLE}`;

describe('the IDENTITY_BROAD quick fix narrows an entry to the signers it trusts now', () => {
  it('names only the signers of the file’s own workspace, each pinned to the issuer it was seen with', () => {
    const text = 'security:\n  trusted_identities:\n    - "*@gmail.com"\n';
    const own = workspace('project:/p', 'project', '/p', [
      report('a', 'alice@gmail.com', '*@gmail.com', '/p/.aam/config.yaml'),
    ]);
    // Another open folder, a clone whose lock file names mallory, under its own copy of the same pattern.
    const clone = workspace('project:/clone', 'project', '/clone', [
      report('m', 'mallory@gmail.com', '*@gmail.com', '/clone/.aam/config.yaml'),
    ]);
    const [fix] = narrowings('/p/.aam/config.yaml', text, [own, clone]);
    assert.equal(fix!.title, `Narrow to the 1 signer(s) it trusts now: alice@gmail.com (issuer ${GOOGLE})`);
    assert.equal(fix!.text, `security:\n  trusted_identities:\n    ${pinnedAlice}\n`);
  });

  it('replaces a broad entry that is pinned to an issuer: the mapping goes, the signers it trusts come in', () => {
    const text = `security:\n  trusted_identities:\n    - identity: "*@gmail.com"\n      issuer: ${GOOGLE}\n    - bob@example.com\n`;
    const pattern = `*@gmail.com (issuer ${GOOGLE})`;
    const own = workspace('project:/p', 'project', '/p', [
      report('a', 'Alice@gmail.com', pattern, '/p/.aam/config.yaml'),
    ]);
    const [fix] = narrowings('/p/.aam/config.yaml', text, [own]);
    assert.equal(fix!.text, `security:\n  trusted_identities:\n    - bob@example.com\n    ${pinnedAlice}\n`);
  });

  it('in the global config, counts a project trusted through it only when the window is trusted', () => {
    const text = 'security:\n  trusted_identities:\n    - "*@gmail.com"\n';
    const project = workspace('project:/p', 'project', '/p', [report('a', 'alice@gmail.com', '*@gmail.com', GLOBAL)]);
    const [trusted] = narrowings(GLOBAL, text, [project]);
    assert.match(trusted!.title, /^Narrow to the 1 signer\(s\) it trusts now: alice@gmail\.com/);
    const [restricted] = narrowings(GLOBAL, text, [project], true);
    assert.equal(restricted!.title, 'Remove "*@gmail.com" (it trusts no installed package)');
    assert.equal(restricted!.text, 'security:\n  trusted_identities: []\n');
  });
});
