import * as vscode from 'vscode';
import type { VerdictStatus } from '../core/policy/decision.ts';
import type { CheckRow } from '../core/verify/verdict/rows.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { signerOfReport } from '../core/verify/verdict/report.ts';
import { FINDING_LABEL, outcome, STATUS_LABEL, tally } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { hiddenLine } from '../core/content/describe.ts';

/** Rows a package gets beyond its verification's (what its registry says of it), from the features bundle. */
export type ExtraRows = (workspace: AamWorkspace, report: PackageReport) => Promise<CheckRow[]>;

/** Tree nodes: a workspace group (when there are several), a package, or one of its checks. */
export type Node =
  | { kind: 'workspace'; workspace: AamWorkspace }
  | { kind: 'package'; workspace: AamWorkspace; report: PackageReport }
  | { kind: 'check'; row: CheckRow; parent: PackageReport }
  /** A newer version in the package's registry: reviewing it shows what agents would load differently. */
  | { kind: 'update'; workspace: AamWorkspace; report: PackageReport; version: string }
  | { kind: 'notice'; workspace: AamWorkspace; text: string; tooltip: string; lost?: boolean };

const STATUS: Record<VerdictStatus, { icon: string; color: string }> = {
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
};

/** The status as the view says it; the words are the core's, so every surface says the same. */
function label(status: VerdictStatus): string {
  return vscode.l10n.t(STATUS_LABEL[status]);
}

const CHECK_ICON: Record<CheckRow['state'], { icon: string; color: string }> = {
  ok: { icon: 'check', color: 'testing.iconPassed' },
  fail: { icon: 'close', color: 'list.errorForeground' },
  warn: { icon: 'warning', color: 'list.warningForeground' },
  info: { icon: 'info', color: 'descriptionForeground' },
  skipped: { icon: 'debug-step-over', color: 'descriptionForeground' },
};

export class VerificationView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly model: TrustModel;
  private readonly extraRows: ExtraRows | undefined;

  /** `extraRows`: a package's rows from the features bundle (its eval results), loaded when it is expanded. */
  constructor(model: TrustModel, extraRows?: ExtraRows) {
    this.model = model;
    this.extraRows = extraRows;
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const workspaces = this.model.workspaces;
      if (workspaces.length === 1) return this.packagesOf(workspaces[0]!);
      return workspaces.map((workspace) => ({ kind: 'workspace', workspace }));
    }
    if (node.kind === 'workspace') return this.packagesOf(node.workspace);
    if (node.kind === 'package') {
      const update = this.model.updates.get(`${node.workspace.id}|${node.report.name}`);
      const extra = await this.extraRows?.(node.workspace, node.report).catch(() => []);
      const rows: Node[] = [
        ...findingRows(node.report),
        ...node.report.rows,
        sourceRow(node.workspace, node.report),
        ...(extra ?? []),
      ].map((row): Node => ({ kind: 'check', row, parent: node.report }));
      return update
        ? [{ kind: 'update', workspace: node.workspace, report: node.report, version: update }, ...rows]
        : rows;
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'update') return { kind: 'package', workspace: node.workspace, report: node.report };
    if (node.kind === 'check') {
      for (const workspace of this.model.workspaces) {
        const report = workspace.reports.find((r) => r === node.parent);
        if (report) return { kind: 'package', workspace, report };
      }
    }
    if ((node.kind === 'package' || node.kind === 'notice') && this.model.workspaces.length > 1)
      return { kind: 'workspace', workspace: node.workspace };
    return undefined;
  }

  private packagesOf(workspace: AamWorkspace): Node[] {
    const notices: Node[] = [];
    if (workspace.engineError)
      notices.push({
        kind: 'notice',
        workspace,
        text: vscode.l10n.t('AAM Trust could not load; see the log'),
        tooltip: workspace.engineError,
      });
    else if (workspace.policyError)
      notices.push({
        kind: 'notice',
        workspace,
        text: vscode.l10n.t('The trust policy has errors; fix them to verify'),
        tooltip: workspace.policyError,
      });
    else if (!workspace.hasLockFile)
      notices.push({
        kind: 'notice',
        workspace,
        text: vscode.l10n.t('No packages installed yet'),
        tooltip: workspace.paths.lockFile,
      });
    else if (workspace.verifying && workspace.reports.length === 0)
      notices.push({ kind: 'notice', workspace, text: vscode.l10n.t('Verifying…'), tooltip: '' });
    else if (workspace.verifying && workspace.stored) {
      const when = workspace.verifiedAt ? workspace.verifiedAt.toLocaleString() : '';
      notices.push({
        kind: 'notice',
        workspace,
        text: vscode.l10n.t('Results of {0}; checking for changes…', when),
        tooltip: vscode.l10n.t(
          'These verdicts are from the last verification. Packages whose files, lock entry and trust material are unchanged are not checked again.',
        ),
      });
    }
    const lost = workspace.lost ?? [];
    if (lost.length > 0) {
      const lines = lost.map(
        (l) =>
          `${l.now === undefined ? `${l.key}: "${l.was}"` : `${l.key}: ${l.was} → ${l.now}`}${l.file ? ` (${l.file})` : ''}`,
      );
      notices.push({
        kind: 'notice',
        workspace,
        text: vscode.l10n.t('The policy lost {0} trust setting(s) since an earlier verification', lost.length),
        tooltip: `${lines.join('\n')}\n\n${vscode.l10n.t('A tool that rewrites the config (aam config set) drops the keys it does not know. Click to add them back or let them go.')}`,
        lost: true,
      });
    }
    return [...notices, ...workspace.reports.map((report): Node => ({ kind: 'package', workspace, report }))];
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'package') item.tooltip = tooltip(node.report, label(node.report.verdict.status));
    return item;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'workspace': {
        const item = new vscode.TreeItem(node.workspace.label, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon(node.workspace.kind === 'global' ? 'globe' : 'root-folder');
        item.description = summary(node.workspace);
        item.contextValue = 'aamWorkspace';
        item.id = `ws:${node.workspace.id}`;
        return item;
      }
      case 'notice': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(
          node.workspace.engineError || node.workspace.policyError
            ? 'error'
            : node.workspace.verifying
              ? 'sync~spin'
              : 'info',
        );
        item.tooltip = node.tooltip;
        item.contextValue = 'aamNotice';
        if (node.workspace.policyError && node.workspace.config)
          item.command = { command: 'aam.showEffectivePolicy', title: vscode.l10n.t('Show Effective Policy') };
        if (node.lost) {
          item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
          item.command = {
            command: 'aam.reviewLostPolicy',
            title: vscode.l10n.t('Review'),
            arguments: [{ workspaceId: node.workspace.id }],
          };
        }
        return item;
      }
      case 'package':
        return packageItem(
          node.workspace,
          node.report,
          this.model.updates.get(`${node.workspace.id}|${node.report.name}`),
        );
      case 'update': {
        const item = new vscode.TreeItem(
          vscode.l10n.t('Update available: {0}', node.version),
          vscode.TreeItemCollapsibleState.None,
        );
        item.description = vscode.l10n.t('review what agents would load differently');
        item.iconPath = new vscode.ThemeIcon('arrow-circle-up', new vscode.ThemeColor('charts.blue'));
        item.contextValue = 'aamUpdate';
        item.command = { command: 'aam.reviewUpdate', title: vscode.l10n.t('Review Update…'), arguments: [node] };
        return item;
      }
      case 'check': {
        const item = new vscode.TreeItem(node.row.label, vscode.TreeItemCollapsibleState.None);
        const look = CHECK_ICON[node.row.state];
        item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
        item.description = node.row.detail;
        item.tooltip = `${node.row.label}: ${node.row.detail}`;
        item.contextValue = `aamCheck:${node.row.id}`;
        // A signature by a key the keyring lacks: the row fetches it.
        if (node.row.key)
          item.command = {
            command: 'aam.fetchKey',
            title: vscode.l10n.t('Fetch key {0}…', node.row.key),
            arguments: [{ key: node.row.key }],
          };
        // A deployed copy opens where an agent reads it.
        if (node.row.path) {
          item.resourceUri = vscode.Uri.file(node.row.path);
          item.command = {
            command: 'vscode.open',
            title: vscode.l10n.t('Open'),
            arguments: [vscode.Uri.file(node.row.path)],
          };
        }
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function packageItem(workspace: AamWorkspace, report: PackageReport, update: string | undefined): vscode.TreeItem {
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
function sourceRow(workspace: AamWorkspace, report: PackageReport): CheckRow {
  const registry = workspace.config?.registries.find((r) => r.name === report.source);
  const where = registry
    ? `${registry.name} (${registry.type === 'http' ? vscode.l10n.t('HTTP registry') : vscode.l10n.t('file registry')}, ${registry.url})`
    : report.source === 'local'
      ? vscode.l10n.t('a local .aam file')
      : vscode.l10n.t('{0} (not configured)', report.source);
  return { id: 'source', state: 'info', label: vscode.l10n.t('Source'), detail: where };
}

/** Findings beside the verdict, first among a package's rows; hidden content also file by file (click to open it). */
function findingRows(report: PackageReport): CheckRow[] {
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

function findingList(report: PackageReport): CheckRow[] {
  return report.findings.map((f) => ({
    id: 'registry',
    state: f.action === 'fail' ? 'fail' : 'warn',
    label:
      f.code === 'REGISTRY_CHANGED'
        ? vscode.l10n.t('Registry')
        : f.code === 'HIDDEN_CONTENT'
          ? vscode.l10n.t('Hidden content')
          : vscode.l10n.t('Signer continuity'),
    detail:
      f.code === 'REGISTRY_CHANGED'
        ? `${f.message}${f.actual ? ` (expected ${f.expected}, found ${f.actual})` : ''}`
        : f.code === 'HIDDEN_CONTENT'
          ? `${f.message} First: ${f.actual}`
          : `${f.message} Recorded: ${f.expected}; now: ${f.actual}.`,
  }));
}

function tooltip(report: PackageReport, label: string): vscode.MarkdownString {
  const { verdict } = report;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${report.name}@${report.version}** — ${label}\n\n`);
  md.appendText(verdict.message);
  for (const finding of report.findings) {
    md.appendMarkdown(`\n\n${finding.action === 'fail' ? '$(error)' : '$(warning)'} `);
    md.appendText(finding.message);
  }
  if (verdict.expected !== undefined) md.appendMarkdown(`\n\n*Expected:* \`${verdict.expected}\``);
  if (verdict.actual !== undefined) md.appendMarkdown(`\n\n*Actual:* \`${verdict.actual}\``);
  if (verdict.rule && verdict.action !== 'pass')
    md.appendMarkdown(`\n\n*Rule:* \`${verdict.rule.key}\` in ${verdict.rule.source ?? 'defaults'}`);
  if (verdict.hint) md.appendMarkdown(`\n\n$(lightbulb) ${verdict.hint}`);
  return md;
}

export function summary(workspace: AamWorkspace): string {
  if (workspace.engineError) return vscode.l10n.t('not verified');
  if (workspace.policyError) return vscode.l10n.t('policy has errors');
  return tally(workspace.reports).parts.join(' · ');
}
