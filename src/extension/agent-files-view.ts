import * as vscode from 'vscode';
import { agentSurface, displayPath, SURFACE_LIMITS } from '../core/deploy/surface.ts';
import type { AgentFile, AgentSurface } from '../core/deploy/surface.ts';
import type { Platform } from '../core/model/platform.ts';
import { signerOfReport } from '../core/verify/verdict/report.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace, TrustModel } from './model.ts';

type Row =
  | { kind: 'platform'; workspace: AamWorkspace; platform: Platform; files: AgentFile[] }
  | { kind: 'file'; workspace: AamWorkspace; file: AgentFile }
  | { kind: 'stopped'; workspace: AamWorkspace; why: NonNullable<AgentSurface['stopped']> };

/**
 * What agents load here: per platform, every file in the workspace (and
 * ~/.codex) that an agent would load — from a package, with its package,
 * signer and verdict, or "not managed by AAM" — so a reviewer sees the whole
 * surface in one place. Nested CLAUDE.md, AGENTS.md and .cursor/rules are
 * searched for within SURFACE_LIMITS; a search a limit stopped says so.
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
    if (row?.kind === 'file' || row?.kind === 'stopped') return [];
    if (row?.kind === 'platform') return row.files.map((file) => ({ kind: 'file', workspace: row.workspace, file }));
    const rows: Row[] = [];
    for (const workspace of this.model.workspaces.filter((w) => w.kind === 'project')) {
      const { files, stopped } = await agentSurface({ project: workspace.paths.root, home: this.model.homeDir });
      for (const platform of [...new Set(files.map((f) => f.platform))])
        rows.push({ kind: 'platform', workspace, platform, files: files.filter((f) => f.platform === platform) });
      if (stopped) rows.push({ kind: 'stopped', workspace, why: stopped });
    }
    return rows;
  }

  getTreeItem(row: Row): vscode.TreeItem {
    if (row.kind === 'stopped') {
      const item = new vscode.TreeItem(vscode.l10n.t('Not every folder was searched'));
      item.description = STOPPED[row.why]();
      item.tooltip = vscode.l10n.t(
        'Nested CLAUDE.md, AGENTS.md and .cursor/rules are searched for {0} folder levels deep, in at most {1} folders, and at most {2} files are listed; dependency, version-control and cache folders (node_modules, .git…) are skipped.',
        SURFACE_LIMITS.depth,
        SURFACE_LIMITS.folders,
        SURFACE_LIMITS.files,
      );
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
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
    const verdicts = from.map((r) => `${r.name}@${r.version} · ${signerWords(r)} · ${STATUS_LABEL[r.verdict.status]}`);
    // A shared file is its sections' packages' only there: the rest of it is the user's, or no one's (deployed-review F2).
    const shared = from.some((r) => r.deployed.some((c) => c.path === row.file.path && c.section !== undefined));
    const unowned = from.flatMap((r) =>
      r.findings.filter((f) => f.code === 'SECTION_UNOWNED' && f.expected === row.file.path),
    );
    item.description =
      from.length === 0
        ? vscode.l10n.t('not managed by AAM')
        : shared
          ? vscode.l10n.t('sections of {0}; the rest of the file is not checked', verdicts.join('; '))
          : verdicts.join('; ');
    if (unowned.length > 0) item.tooltip = unowned.map((f) => f.message).join('\n');
    const hidden = unowned.length > 0 || from.some((r) => r.findings.some((f) => f.code === 'HIDDEN_CONTENT'));
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

const STOPPED: Record<NonNullable<AgentSurface['stopped']>, () => string> = {
  depth: () => vscode.l10n.t('folders deeper than {0} levels are not searched', SURFACE_LIMITS.depth),
  folders: () => vscode.l10n.t('the search stopped after {0} folders', SURFACE_LIMITS.folders),
  files: () => vscode.l10n.t('only the first {0} files are listed', SURFACE_LIMITS.files),
};

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
