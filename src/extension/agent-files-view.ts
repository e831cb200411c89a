import * as vscode from 'vscode';
import { agentFiles, displayPath } from '../core/deploy/surface.ts';
import type { AgentFile } from '../core/deploy/surface.ts';
import type { Platform } from '../core/model/platform.ts';
import { signerOfReport } from '../core/verify/verdict/report.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace, TrustModel } from './model.ts';

type Row =
  | { kind: 'platform'; workspace: AamWorkspace; platform: Platform; files: AgentFile[] }
  | { kind: 'file'; workspace: AamWorkspace; file: AgentFile };

/**
 * What agents load here: per platform, every file in the workspace (and
 * ~/.codex) that an agent would load — from a package, with its package,
 * signer and verdict, or "not managed by AAM" — so a reviewer sees the whole
 * surface in one place.
 */
export class AgentFilesView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Row | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly model: TrustModel;
  private readonly subscription: vscode.Disposable;

  constructor(model: TrustModel) {
    this.model = model;
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(row?: Row): Promise<Row[]> {
    if (row?.kind === 'file') return [];
    if (row?.kind === 'platform') return row.files.map((file) => ({ kind: 'file', workspace: row.workspace, file }));
    const rows: Row[] = [];
    for (const workspace of this.model.workspaces.filter((w) => w.kind === 'project')) {
      const files = await agentFiles({ project: workspace.paths.root, home: this.model.homeDir });
      for (const platform of [...new Set(files.map((f) => f.platform))])
        rows.push({ kind: 'platform', workspace, platform, files: files.filter((f) => f.platform === platform) });
    }
    return rows;
  }

  getTreeItem(row: Row): vscode.TreeItem {
    if (row.kind === 'platform') {
      const item = new vscode.TreeItem(row.platform, vscode.TreeItemCollapsibleState.Expanded);
      const unmanaged = row.files.filter((f) => owners(row.workspace, f.path).length === 0).length;
      item.description = vscode.l10n.t('{0} files, {1} not managed by AAM', row.files.length, unmanaged);
      item.iconPath = new vscode.ThemeIcon('hubot');
      return item;
    }
    const roots = { project: row.workspace.paths.root, home: this.model.homeDir };
    const item = new vscode.TreeItem(displayPath(row.file.path, roots), vscode.TreeItemCollapsibleState.None);
    const from = owners(row.workspace, row.file.path);
    item.description =
      from.length === 0
        ? vscode.l10n.t('not managed by AAM')
        : from.map((r) => `${r.name}@${r.version} · ${signerWords(r)} · ${STATUS_LABEL[r.verdict.status]}`).join('; ');
    const hidden = from.some((r) => r.findings.some((f) => f.code === 'HIDDEN_CONTENT'));
    const failing = from.some((r) => r.verdict.action === 'fail');
    item.iconPath = new vscode.ThemeIcon(
      from.length === 0 ? 'question' : failing ? 'error' : hidden ? 'warning' : 'pass',
      new vscode.ThemeColor(
        from.length === 0
          ? 'descriptionForeground'
          : failing
            ? 'list.errorForeground'
            : hidden
              ? 'list.warningForeground'
              : 'testing.iconPassed',
      ),
    );
    item.resourceUri = vscode.Uri.file(row.file.path);
    item.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open'),
      arguments: [vscode.Uri.file(row.file.path)],
    };
    item.contextValue = from.length === 0 ? 'aamAgentFile unmanaged' : 'aamAgentFile';
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The installed packages whose deployed copies include the file (a shared file's sections name theirs). */
function owners(workspace: AamWorkspace, path: string): PackageReport[] {
  return workspace.reports.filter((report) =>
    report.deployed.some(
      (c) => c.state !== 'shadowed' && (c.path === path || (c.type === 'skill' && path.startsWith(`${c.path}/`))),
    ),
  );
}

function signerWords(report: PackageReport): string {
  const who = signerOfReport(report);
  if (!who) return vscode.l10n.t('unsigned');
  return who.type === 'sigstore' ? who.identity.san : describeSigner(who);
}
