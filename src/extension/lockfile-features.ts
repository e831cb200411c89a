import * as vscode from 'vscode';
import { readRegularFile } from '../core/fs/safe-read.ts';
import { isMap, isPair, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { YamlSource } from '../core/yaml/source.ts';
import type { EvalResults } from './eval-results.ts';
import { packageFix } from './quick-fix.ts';
import { toRange } from './ranges.ts';
import type { Verdict } from '../core/policy/decision.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { outcome } from '../core/verify/verdict/vocabulary.ts';
import { hoverText, TRUSTABLE } from './lockfile-hover.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { projectHas, trustOptions } from './trust-signer.ts';
import type { TrustSignerArgs } from './trust-signer.ts';

/**
 * Diagnostics, hovers and "Trust this signer" quick fixes on `.aam/aam-lock.yaml`
 * entries whose verdict is warn or fail.
 */
/** Codes a package is accepted for (recorded in the trust record once checked), and the quick fix's title. */
const ACCEPTABLE: Record<string, (name: string) => string> = {
  SIGNER_CHANGED: (name) => vscode.l10n.t('Accept the change to {0} and record it', name),
  SIGNATURE_REMOVED: (name) => vscode.l10n.t('Accept the change to {0} and record it', name),
  DOWNGRADE: (name) => vscode.l10n.t('Accept the change to {0} and record it', name),
  INSTALLED_WITHOUT_VERIFICATION: (name) => vscode.l10n.t('Verify {0} now and record it as verified', name),
};

export class LockFileFeatures implements vscode.HoverProvider, vscode.CodeActionProvider, vscode.Disposable {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };
  private readonly collection = vscode.languages.createDiagnosticCollection('aam-lock');
  private readonly disposables: vscode.Disposable[] = [];
  private readonly model: TrustModel;
  private readonly evals: EvalResults | undefined;

  constructor(model: TrustModel, evals?: EvalResults) {
    this.evals = evals;
    this.model = model;
    this.disposables.push(
      this.collection,
      model.onDidChange(() => void this.update()),
    );
  }

  async update(): Promise<void> {
    this.collection.clear();
    for (const workspace of this.model.workspaces) {
      if (!workspace.hasLockFile || workspace.verifying) continue;
      const uri = vscode.Uri.file(workspace.paths.lockFile);
      const source = new YamlSource(await textOf(uri));
      const diagnostics: vscode.Diagnostic[] = [];
      for (const report of workspace.reports) {
        if (outcome(report) === 'pass') continue;
        // One diagnostic per thing that does not pass, each with its own code (and quick fix).
        const range = toRange(source.keyRange(['packages', report.name]));
        const severity = (action: string) =>
          action === 'fail' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
        if (report.verdict.action !== 'pass') {
          const diagnostic = new vscode.Diagnostic(
            range,
            `${report.name}: ${report.verdict.message}`,
            severity(report.verdict.action),
          );
          diagnostic.source = 'AAM Trust';
          diagnostic.code = report.verdict.code;
          const rule = await ruleLocation(report.verdict);
          if (rule)
            diagnostic.relatedInformation = [new vscode.DiagnosticRelatedInformation(rule.location, rule.message)];
          diagnostics.push(diagnostic);
        }
        for (const finding of report.findings) {
          const diagnostic = new vscode.Diagnostic(
            range,
            `${report.name}: ${finding.message}`,
            severity(finding.action),
          );
          diagnostic.source = 'AAM Trust';
          diagnostic.code = finding.code;
          diagnostics.push(diagnostic);
        }
      }
      this.collection.set(uri, diagnostics);
    }
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const found = this.entryAt(document, position);
    if (!found) return undefined;
    const md = hoverText(found.workspace, found.report);
    // What the registry says its owners' evaluations found: beside the verdict, not part of it.
    const evals = await this.evals?.markdown(found.workspace, found.report);
    if (evals) md.appendMarkdown(evals);
    return new vscode.Hover(md, found.range);
  }

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const workspace = this.model.workspaceOfFile(document.uri);
    if (!workspace) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'AAM Trust') continue;
      const report = workspace.reports.find((r) => diagnostic.message.startsWith(`${r.name}: `));
      if (!report) continue;
      const pkg = { workspaceId: workspace.id, packageName: report.name };
      const accept = ACCEPTABLE[String(diagnostic.code)];
      if (accept) {
        actions.push(packageFix(accept(report.name), diagnostic, 'aam.acceptSignerChange', pkg));
        continue;
      }
      if (diagnostic.code === 'DEPLOYED_MODIFIED') {
        actions.push(
          packageFix(
            vscode.l10n.t('Restore the deployed copies of {0} from its verified archive', report.name),
            diagnostic,
            'aam.restoreDeployed',
            pkg,
            true,
          ),
        );
        continue;
      }
      if (!TRUSTABLE.has(String(diagnostic.code)) || !report.verdict.signer) continue;
      const [option] = trustOptions(report.verdict.signer);
      if (!option) continue;
      // A global entry has no effect where the project config sets its own list.
      const targets =
        workspace.kind === 'global'
          ? (['global'] as const)
          : projectHas(workspace, option.list)
            ? (['project'] as const)
            : (['project', 'global'] as const);
      for (const target of targets) {
        const title =
          target === 'project'
            ? vscode.l10n.t('Trust this signer: add {0} to the project config', option.label)
            : vscode.l10n.t('Trust this signer: add {0} to the global config', option.label);
        const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        const args: TrustSignerArgs = {
          workspaceId: workspace.id,
          packageName: report.name,
          pattern: option.label,
          target,
        };
        action.command = { command: 'aam.trustSigner', title, arguments: [args] };
        action.isPreferred = target === (this.model.restricted ? 'global' : 'project');
        actions.push(action);
      }
    }
    return actions;
  }

  private entryAt(
    document: vscode.TextDocument,
    position: vscode.Position,
  ): { workspace: AamWorkspace; report: PackageReport; range: vscode.Range } | undefined {
    const workspace = this.model.workspaceOfFile(document.uri);
    if (!workspace) return undefined;
    const source = new YamlSource(document.getText());
    const packages = source.doc.get('packages', true) as Node | undefined;
    if (!isMap(packages)) return undefined;
    const offset = document.offsetAt(position);
    for (const item of packages.items) {
      if (!isPair(item) || !isScalar(item.key) || !item.key.range) continue;
      const end = (item.value as Node | null)?.range?.[2] ?? item.key.range[2];
      if (offset < item.key.range[0] || offset > end) continue;
      const report = workspace.reports.find((r) => r.name === String((item.key as { value: unknown }).value));
      if (report) return { workspace, report, range: toRange(source.rangeOf(item.key.range[0], item.key.range[1])) };
    }
    return undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

async function ruleLocation(verdict: Verdict): Promise<{ location: vscode.Location; message: string } | undefined> {
  const file = verdict.rule?.source;
  if (!verdict.rule || !file || file === 'default') return undefined;
  const uri = vscode.Uri.file(file);
  const source = new YamlSource(await textOf(uri));
  return {
    location: new vscode.Location(uri, toRange(source.keyRange(['security', verdict.rule.key]))),
    message: vscode.l10n.t('The rule that decided: security.{0}', verdict.rule.key),
  };
}

async function textOf(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  // A lock file or config from a repository is read only as a regular file (never a FIFO or a link).
  return readRegularFile(uri.fsPath, uri.fsPath.endsWith('config.yaml') ? 'config' : 'lock').then(
    (bytes) => bytes?.toString('utf8') ?? '',
    () => '',
  );
}
