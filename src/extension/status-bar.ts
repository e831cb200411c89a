import * as vscode from 'vscode';
import { tally } from '../core/verify/verdict/vocabulary.ts';
import type { TrustModel } from './model.ts';

/** "AAM: 1 failed · 1 signed, untrusted · 12 verified" (the core's counts, which add up) — click focuses the Verification view. */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  private readonly model: TrustModel;

  constructor(model: TrustModel) {
    this.model = model;
    this.item = vscode.window.createStatusBarItem('aam.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('AAM Trust');
    this.item.command = 'aam.verification.focus';
    this.subscription = model.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const workspaces = this.model.workspaces;
    if (workspaces.length === 0) {
      this.item.hide();
      return;
    }
    const reports = this.model.allReports().map((r) => r.report);
    const verifying = workspaces.some((w) => w.verifying);
    // A workspace with no verification (no engine, a broken policy) is never shown as all verified.
    const unverified = workspaces.filter((w) => w.engineError).length;
    const policyErrors = workspaces.filter((w) => w.policyError && !w.engineError).length;
    const notChecked = unverified + policyErrors;
    const counts = tally(reports);
    const failed = counts.failed;
    const untrusted = counts.warnings;
    const parts = counts.parts.length > 0 ? [...counts.parts] : [vscode.l10n.t('no packages')];
    if (unverified > 0) parts.push(vscode.l10n.t('not verified'));
    if (policyErrors > 0) parts.push(vscode.l10n.t('policy errors'));
    const icon = verifying ? '$(sync~spin)' : failed > 0 || notChecked > 0 ? '$(shield)' : '$(verified-filled)';
    this.item.text = `${icon} AAM: ${parts.join(' · ')}`;
    this.item.tooltip = `${this.model.restricted ? vscode.l10n.t('Restricted Mode: only project settings that tighten your global policy apply.') + '\n' : ''}${vscode.l10n.t('{0} packages installed. Click to open the Verification view.', reports.length)}`;
    this.item.backgroundColor =
      failed > 0 || notChecked > 0
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : untrusted > 0
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
