import * as vscode from 'vscode';
import type { VerdictStatus } from '../core/policy/decision.ts';
import type { CheckRow } from '../core/verify/verdict/rows.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { signerOfReport } from '../core/verify/verdict/report.ts';
import { FINDING_LABEL, outcome, STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace } from './model.ts';
import { hiddenLine } from '../core/content/describe.ts';
import { mdCode, mdText } from './markdown-text.ts';
import { isContinuity } from '../core/record/continuity-codes.ts';

/** How the Verification view draws a package and its rows: icons, labels, the source row, findings and the tooltip. */

export const STATUS: Record<VerdictStatus, { icon: string; color: string }> = {
  verified: { icon: 'pass-filled', color: 'testing.iconPassed' },
  'signed-no-policy': { icon: 'verified', color: 'charts.blue' },
  'signed-untrusted': { icon: 'warning', color: 'list.warningForeground' },
  unsigned: { icon: 'circle-large-outline', color: 'descriptionForeground' },
  invalid: { icon: 'workspace-untrusted', color: 'list.errorForeground' },
  tampered: { icon: 'error', color: 'list.errorForeground' },
  unavailable: { icon: 'question', color: 'list.errorForeground' },
  unattested: { icon: 'unverified', color: 'list.errorForeground' },
  unverified: { icon: 'eye-closed', color: 'list.warningForeground' },
  skipped: { icon: 'debug-step-over', color: 'descriptionForeground' },
  blocked: { icon: 'circle-slash', color: 'list.errorForeground' },
};

/** The status as the view says it; the words are the core's, so every surface says the same. */
export function label(status: VerdictStatus): string {
  return vscode.l10n.t(STATUS_LABEL[status]);
}

export const CHECK_ICON: Record<CheckRow['state'], { icon: string; color: string }> = {
  ok: { icon: 'check', color: 'testing.iconPassed' },
  fail: { icon: 'close', color: 'list.errorForeground' },
  warn: { icon: 'warning', color: 'list.warningForeground' },
  info: { icon: 'info', color: 'descriptionForeground' },
  skipped: { icon: 'debug-step-over', color: 'descriptionForeground' },
};

export function packageItem(
  workspace: AamWorkspace,
  report: PackageReport,
  update: string | undefined,
): vscode.TreeItem {
  const { verdict } = report;
  const failing = outcome(report) === 'fail';
  // A package whose own verdict passes but whose registry changed still fails: its icon says so.
  const look = failing && verdict.action !== 'fail' ? STATUS.tampered : STATUS[verdict.status];
  const item = new vscode.TreeItem(report.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `pkg:${workspace.id}:${report.name}`;
  item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
  const who = signerOfReport(report);
  const signer = who ? (who.type === 'sigstore' ? who.identity.san : (who.userIds[0] ?? who.fingerprint)) : undefined;
  // The status first: at the default sidebar width the description is cut at its end, not its start.
  // A failing finding first: it is what decides the icon, and what a cut-off description must still say.
  const findings = [...report.findings].sort((a, b) => (a.action === b.action ? 0 : a.action === 'fail' ? -1 : 1));
  const words = findings.filter((f) => f.action === 'fail').map((f) => vscode.l10n.t(FINDING_LABEL[f.code]));
  words.push(
    label(verdict.status),
    ...findings.filter((f) => f.action !== 'fail').map((f) => vscode.l10n.t(FINDING_LABEL[f.code])),
  );
  item.description = [words.join(', '), report.version, signer].filter(Boolean).join(' · ');
  // The tooltip is built when hovered (resolveTreeItem): thousands of rows cost no Markdown up front.
  // contextValue carries the state and what is available, so menus follow it.
  const flags = [`status-${verdict.status}`, `action-${outcome(report)}`];
  if (
    verdict.signer &&
    (verdict.code === 'UNTRUSTED_SIGNER' ||
      verdict.code === 'SIGNED_NO_POLICY' ||
      verdict.code === 'ISSUER_NOT_ALLOWED')
  )
    flags.push('trustable');
  if (report.signatureFile) flags.push('bundle');
  if (update) flags.push('update');
  if (report.deployed.some((c) => c.state === 'modified' || c.state === 'missing')) flags.push('deployed-modified');
  if (
    verdict.status === 'unverified' ||
    report.findings.some((f) => f.code === 'SIGNER_CHANGED' || f.code === 'SIGNATURE_REMOVED' || f.code === 'DOWNGRADE')
  )
    flags.push('acceptable');
  item.contextValue = `aamPackage ${flags.join(' ')}`;
  item.accessibilityInformation = {
    label: `${report.name} ${report.version}: ${words.join(', ')}. ${verdict.message}`,
  };
  return item;
}

/** Where the package came from: its registry (by name, with its kind and location), or a local file. */
export function sourceRow(workspace: AamWorkspace, report: PackageReport): CheckRow {
  const registry = workspace.config?.registries.find((r) => r.name === report.source);
  const where = registry
    ? `${registry.name} (${registry.type === 'http' ? vscode.l10n.t('HTTP registry') : vscode.l10n.t('file registry')}, ${registry.url})`
    : report.source === 'local'
      ? vscode.l10n.t('a local .aam file')
      : vscode.l10n.t('{0} (not configured)', report.source);
  return { id: 'source', state: 'info', label: vscode.l10n.t('Source'), detail: where };
}

/** Findings beside the verdict, first among a package's rows; hidden content also file by file (click to open it). */
export function findingRows(report: PackageReport): CheckRow[] {
  const hidden = report.findings.find((f) => f.code === 'HIDDEN_CONTENT');
  const files: CheckRow[] = hidden
    ? report.hidden.map((file) => ({
        id: 'files',
        state: hidden.action === 'fail' ? 'fail' : 'warn',
        label: vscode.l10n.t('Hidden content'),
        detail: file.items.map((item) => hiddenLine(file.path, item)).join(' · '),
        path: `${report.installedDir}/${file.path}`,
      }))
    : [];
  return [...findingList(report), ...files];
}

export function findingList(report: PackageReport): CheckRow[] {
  return report.findings.map((f) => ({
    id: 'registry',
    state: f.action === 'fail' ? 'fail' : 'warn',
    label: findingLabel(f.code),
    detail:
      f.code === 'REGISTRY_CHANGED'
        ? `${f.message}${f.actual ? ` (expected ${f.expected}, found ${f.actual})` : ''}`
        : f.code === 'HIDDEN_CONTENT'
          ? `${f.message} First: ${f.actual}`
          : isContinuity(f.code)
            ? `${f.message} Recorded: ${f.expected}; now: ${f.actual}.`
            : f.message,
  }));
}

/** What a finding is about, as its row names it: every finding not of signer continuity was shown as one. */
function findingLabel(code: PackageReport['findings'][number]['code']): string {
  if (code === 'REGISTRY_CHANGED' || code === 'REGISTRY_LOG') return vscode.l10n.t('Registry');
  if (code === 'HIDDEN_CONTENT') return vscode.l10n.t('Hidden content');
  if (code === 'EXTRA_SIGNATURE_INVALID' || code === 'EXTRA_SIGNATURE_UNKNOWN_KEY') return vscode.l10n.t('Signatures');
  if (code === 'FOLDER_SHARED') return vscode.l10n.t('Installed folder');
  if (isContinuity(code)) return vscode.l10n.t('Signer continuity');
  return vscode.l10n.t('Deployed copies');
}

/** The package's tooltip: Markdown for the layout, with every datum (lock file, signer, messages) escaped. */
export function tooltip(report: PackageReport, label: string): vscode.MarkdownString {
  const { verdict } = report;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${mdText(`${report.name}@${report.version}`)}** — ${mdText(label)}\n\n`);
  md.appendMarkdown(mdText(verdict.message));
  for (const finding of report.findings)
    md.appendMarkdown(`\n\n${finding.action === 'fail' ? '$(error)' : '$(warning)'} ${mdText(finding.message)}`);
  if (verdict.expected !== undefined) md.appendMarkdown(`\n\n*Expected:* ${mdCode(verdict.expected)}`);
  if (verdict.actual !== undefined) md.appendMarkdown(`\n\n*Actual:* ${mdCode(verdict.actual)}`);
  if (verdict.rule && verdict.action !== 'pass')
    md.appendMarkdown(`\n\n*Rule:* ${mdCode(verdict.rule.key)} in ${mdText(verdict.rule.source ?? 'defaults')}`);
  if (verdict.hint) md.appendMarkdown(`\n\n$(lightbulb) ${mdText(verdict.hint)}`);
  return md;
}
