import * as vscode from 'vscode';
import { expectedAt, expectedDeployments } from '../core/workflows/expected-deployments.ts';
import type { DeployTarget } from '../core/deploy/platforms.ts';
import { expectedSectionBody, findSection, markers } from '../core/deploy/transform.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import { signerOfReport } from '../core/verify/verdict/report.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { evidenceCache } from '../core/verify/services.ts';
import { packageFix } from './quick-fix.ts';
import { labelText } from './markdown-text.ts';

/** The installed package a deployed file belongs to. */
interface Owner {
  workspace: AamWorkspace;
  report: PackageReport;
}

/**
 * The files agents load (.cursor/, .claude/, .github/, CLAUDE.md, AGENTS.md,
 * ~/.codex/): opening one says which package it came from, who signed it and
 * its verdict; as soon as the editor's text differs from what was signed, a
 * warning says so (also before saving), with the quick fix that restores it.
 */
export class DeployedFiles implements vscode.CodeLensProvider, vscode.CodeActionProvider, vscode.Disposable {
  private readonly model: TrustModel;
  private readonly collection = vscode.languages.createDiagnosticCollection('aam-deployed');
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Expected copies per package version (`workspace|name|checksum`): reading an archive once per edit would not do. */
  private readonly expected = new Map<string, Promise<DeployTarget[] | undefined>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(model: TrustModel) {
    this.model = model;
    this.disposables.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 200)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      model.onDidChange(() => {
        this.changed.fire();
        for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  /** The installed packages whose deployed copies include `path`. */
  ownersOf(path: string): Owner[] {
    return this.model
      .allReports()
      .filter(({ report }) =>
        report.deployed.some(
          (c) => c.state !== 'shadowed' && (c.path === path || (c.type === 'skill' && path.startsWith(`${c.path}/`))),
        ),
      );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return this.ownersOf(document.uri.fsPath).map(({ workspace, report }) => {
      const who = signerOfReport(report);
      const signer = who
        ? ` · ${vscode.l10n.t('signed by {0}', labelText(who.type === 'sigstore' ? who.identity.san : describeSigner(who)))}`
        : ` · ${vscode.l10n.t('unsigned')}`;
      const title = `$(shield) ${labelText(`${report.name}@${report.version}`)}${signer} · ${STATUS_LABEL[report.verdict.status]}`;
      return new vscode.CodeLens(top, {
        title,
        command: 'aam.verification.focus',
        tooltip: vscode.l10n.t('Deployed by {0} from {1}', report.name, workspace.paths.lockFile),
      });
    });
  }

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    return context.diagnostics
      .filter((d) => d.source === 'AAM Trust' && d.code === 'DEPLOYED_MODIFIED')
      .flatMap((diagnostic) =>
        this.ownersOf(document.uri.fsPath).map(({ workspace, report }) =>
          packageFix(
            vscode.l10n.t('Restore from the verified archive of {0}', `${report.name}@${report.version}`),
            diagnostic,
            'aam.restoreDeployed',
            { workspaceId: workspace.id, packageName: report.name },
            true,
          ),
        ),
      );
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (document.uri.scheme !== 'file') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => void this.check(document), delay),
    );
  }

  /** Compares the editor's text (saved or not) with what each owning package signed. */
  private async check(document: vscode.TextDocument): Promise<void> {
    const owners = this.ownersOf(document.uri.fsPath);
    if (owners.length === 0) {
      this.collection.delete(document.uri);
      return;
    }
    const diagnostics: vscode.Diagnostic[] = [];
    for (const owner of owners) {
      const targets = await this.expectedOf(owner);
      const expected = targets && expectedAt(targets, document.uri.fsPath);
      if (!expected) continue;
      const text = document.getText();
      const label = `${owner.report.name}@${owner.report.version}`;
      if ('bytes' in expected) {
        if (text !== expected.bytes.toString('utf8'))
          diagnostics.push(
            diagnostic(
              new vscode.Range(0, 0, document.lineCount, 0),
              vscode.l10n.t(
                'This file differs from what {0} signed: an agent loads it as it is here. Restore it from the verified archive, or review the change.',
                label,
              ),
            ),
          );
        continue;
      }
      for (const section of expected.sections) {
        const found = findSection(text.replace(/\r\n?/g, '\n'), section.name, section.kind);
        if (found.state === 'absent') continue;
        if (found.state === 'found' && found.body === expectedSectionBody(section.content)) continue;
        const { begin, end } = markers(section.name, section.kind);
        // A stray or second marker is flagged where the first marker of the section stands.
        const first = [text.indexOf(begin), text.indexOf(end)].filter((i) => i >= 0);
        const at = document.positionAt(Math.min(...first));
        diagnostics.push(
          diagnostic(
            new vscode.Range(at, at.translate(0, begin.length)),
            vscode.l10n.t(
              'The section "{0} {1}" differs from what {2} signed. Text outside AAM\'s sections is yours; this section is the package\'s.',
              section.name,
              section.kind,
              label,
            ),
          ),
        );
      }
    }
    this.collection.set(document.uri, diagnostics);
    // A file rewritten on disk (a restore, an install) is re-read by the editor: its lens follows too.
    this.changed.fire();
  }

  private expectedOf(owner: Owner): Promise<DeployTarget[] | undefined> {
    const key = `${owner.workspace.id}|${owner.report.name}|${owner.report.checksum}`;
    let found = this.expected.get(key);
    if (!found && owner.workspace.config) {
      found = expectedDeployments(owner.report.name, {
        workspace: owner.workspace.paths,
        config: owner.workspace.config,
        cache: evidenceCache(this.model.homeDir),
        homeDir: this.model.homeDir,
      }).catch(() => undefined);
      this.expected.set(key, found);
    }
    return found ?? Promise.resolve(undefined);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

function diagnostic(range: vscode.Range, message: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Warning);
  d.source = 'AAM Trust';
  d.code = 'DEPLOYED_MODIFIED';
  return d;
}
