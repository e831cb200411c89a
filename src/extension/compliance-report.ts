import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { describeMatch, matchLevel } from '../core/config/levels.ts';
import { reportPage } from '../core/workflows/report/html.ts';
import type { ComplianceReport, UncheckedScope } from '../core/workflows/report/model.ts';
import { lockEntryLines, policyText, rowOfPackage } from '../core/workflows/report/projects.ts';
import { totalsOf } from '../core/workflows/report/totals.ts';
import type { TrustModel } from './model.ts';

/** What the report page asks of the editor: open a package's lock-file entry. */
type ReportMessage = { type: 'reveal'; where: string; name: string };

/**
 * AAM: Show Compliance Report — the signing-compliance report of the open
 * workspaces, from their last verification, in a webview with the same page
 * (and charts) as `aam-trust report --format html`. A package opens at its
 * lock-file entry. The panel follows the model: a new verification redraws it.
 */
export class ComplianceReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly model: TrustModel;
  private readonly extensionUri: vscode.Uri;
  private readonly subscription: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;

  constructor(model: TrustModel, extensionUri: vscode.Uri) {
    this.model = model;
    this.extensionUri = extensionUri;
    // A verification changes the model many times; the page is drawn again once it settles, not at each step.
    this.subscription = model.onDidChange(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.render(), 500);
    });
  }

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const scripts = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      'aam.complianceReport',
      vscode.l10n.t('Signing Compliance'),
      vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [scripts], retainContextWhenHidden: false },
    );
    this.panel = panel;
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((message: ReportMessage) => {
      if (message?.type !== 'reveal') return;
      const workspace = this.model.workspaces.find((w) => w.label === message.where);
      if (workspace)
        void vscode.commands.executeCommand('aam.showInLockFile', {
          workspaceId: workspace.id,
          packageName: message.name,
        });
    });
    await this.render();
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const script = panel.webview.asWebviewUri(
      vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'compliance-report.js'),
    );
    panel.webview.html = reportPage(await this.report(), {
      script: { src: script.toString() },
      cspSource: panel.webview.cspSource,
    });
  }

  /** The report of every workspace's last verification (what the Verification view shows). */
  private async report(): Promise<ComplianceReport> {
    const rows = [];
    const unchecked: UncheckedScope[] = [];
    const policies = new Map<string, string>();
    for (const workspace of this.model.workspaces) {
      // Nothing verified there: never an empty report that reads as compliant.
      if (workspace.engineError)
        unchecked.push({
          where: workspace.label,
          what: 'project',
          status: 'not checked',
          reason: workspace.engineError,
          next: 'Reinstall the extension (the AAM Trust output says what failed), then run AAM: Verify Installed Packages.',
        });
      else if (workspace.policyError)
        unchecked.push({
          where: workspace.label,
          what: 'project',
          status: 'not checked',
          reason: workspace.policyError,
          next: 'Fix it (the Problems panel lists policy errors, the AAM Trust output the rest), then run AAM: Verify Installed Packages.',
        });
      if (workspace.config) policies.set(workspace.label, describeMatch(matchLevel(workspace.config.merged)));
      const lines = lockEntryLines(await readFile(workspace.paths.lockFile, 'utf8').catch(() => ''));
      rows.push(...workspace.reports.map((r) => rowOfPackage(r, workspace.label, lines)));
    }
    return {
      generatedAt: new Date().toISOString(),
      scope: { kind: 'projects', projects: this.model.workspaces.map((w) => w.label) },
      policy: policyText(policies),
      unchecked,
      totals: totalsOf(rows, unchecked.length),
      rows,
    };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
