import * as vscode from 'vscode';
import type { CheckRow } from '../core/verify/verdict/rows.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { tally } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { CHECK_ICON, findingRows, label, packageItem, sourceRow, tooltip } from './verification-items.ts';

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
            arguments: [{ key: node.row.key, lockFile: node.parent.lockFile }],
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

export function summary(workspace: AamWorkspace): string {
  if (workspace.engineError) return vscode.l10n.t('not verified');
  if (workspace.policyError) return vscode.l10n.t('policy has errors');
  return tally(workspace.reports).parts.join(' · ');
}
