import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { readConfigFile } from '../core/config/load.ts';
import { GIT_SAFE_CONFIG, gitState, workingState } from '../core/workflows/diff/state.ts';
import { trustDiff } from '../core/workflows/diff/trust-diff.ts';
import type { TrustDiff } from '../core/workflows/diff/trust-diff.ts';
import { messageOf } from '../core/errors.ts';
import { installPackages } from '../core/workflows/install/install.ts';
import { findRegistry } from '../core/registry/open.ts';
import { verificationServices } from '../core/verify/services.ts';
import { recordedDelegations } from '../core/workflows/diff/recorded-delegations.ts';
import { YamlSource } from '../core/yaml/source.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { childrenOf, treeItemOf } from './trust-change-items.ts';
import type { TrustChangeNode as Node } from './trust-change-items.ts';
import { notice } from './notification-text.ts';
import { revertPolicyChange } from './revert-policy.ts';

/**
 * The Trust Changes view: what the working tree does to the trust picture
 * compared with HEAD (or a branch the user picks) — per package, signer and
 * verdict before and after; per policy change, whom it trusts or stops
 * trusting — with accept and revert where they apply. Lock-file editors
 * (the diff editor's sides too) show the same findings beside each entry.
 */
export class TrustChanges implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly model: TrustModel;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private diffs = new Map<string, { diff: TrustDiff | undefined; error: string | undefined }>();
  private base = 'HEAD';
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorWarning.foreground') },
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(model: TrustModel) {
    this.model = model;
    this.disposables.push(
      this.changed,
      this.decoration,
      model.onDidChange(() => void this.update()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
    );
    void this.update();
  }

  get baseRevision(): string {
    return this.base;
  }

  async compareWith(base: string): Promise<void> {
    this.base = base;
    await this.update();
  }

  /** The diff of a workspace, when it was computed. */
  diffOf(workspaceId: string): TrustDiff | undefined {
    return this.diffs.get(workspaceId)?.diff;
  }

  private async update(): Promise<void> {
    const next = new Map<string, { diff: TrustDiff | undefined; error: string | undefined }>();
    for (const workspace of this.model.workspaces) {
      if (workspace.kind !== 'project' || workspace.verifying || !workspace.hasLockFile) continue;
      // git runs with the repository's own settings (.git/config can name programs): not before the user trusts it.
      if (this.model.restricted) {
        next.set(workspace.id, { diff: undefined, error: RESTRICTED });
        continue;
      }
      try {
        const [base, head, globalConfig] = await Promise.all([
          gitState(workspace.paths.root, this.base),
          workingState(workspace.paths.root),
          readConfigFile('global', this.model.globalConfigFile),
        ]);
        const services = workspace.config && verificationServices(workspace.config, this.model.homeDir);
        const baseDelegations =
          services &&
          (await recordedDelegations(base, {
            verifier: services.verifier,
            cacheDir: services.cache.dir,
            registries: workspace.config!.registries,
          }));
        next.set(workspace.id, {
          diff: trustDiff(base, head, {
            globalConfig,
            homeDir: this.model.homeDir,
            headReports: workspace.reports,
            baseDelegations,
            policy: workspace.config?.security,
          }),
          error: undefined,
        });
      } catch (error) {
        next.set(workspace.id, { diff: undefined, error: messageOf(error) });
      }
    }
    this.diffs = next;
    this.changed.fire(undefined);
    this.decorate();
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return this.model.workspaces.flatMap((workspace): Node[] => {
        const found = this.diffs.get(workspace.id);
        return found ? [{ kind: 'head', workspace, diff: found.diff, error: found.error }] : [];
      });
    }
    return childrenOf(node);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return treeItemOf(node, this.base);
  }

  /** Lock-file editors (either side of a diff editor) show each package's change beside its entry. */
  private decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const path = editor.document.uri.path;
      if (!path.endsWith('/.aam/aam-lock.yaml')) continue;
      const workspace = this.model.workspaces.find((w) => vscode.Uri.file(w.paths.lockFile).path === path);
      const diff = workspace && this.diffs.get(workspace.id)?.diff;
      if (!diff) continue;
      const source = new YamlSource(editor.document.getText());
      const decorations: vscode.DecorationOptions[] = [];
      for (const change of diff.packages) {
        if (change.problems.length === 0) continue;
        // The entry on this side of a diff (a removed package is only on the left).
        if (!source.locate(['packages', change.name]).complete) continue;
        const key = source.keyRange(['packages', change.name]);
        const range = new vscode.Range(key.start.line, key.start.character, key.end.line, key.end.character);
        decorations.push({
          range,
          renderOptions: {
            after: { contentText: `⚠ ${change.problems.map((p) => p.message).join('; ')} (vs ${this.base})` },
          },
          hoverMessage: change.problems.map((p) => p.message).join('\n'),
        });
      }
      editor.setDecorations(this.decoration, decorations);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const RESTRICTED = vscode.l10n.t(
  "Restricted Mode: comparing with git runs git with this repository's own settings, which can name programs. Trust the workspace to compare.",
);

/** Picks the branch (or tag) to compare the working tree with. */
export async function compareTrustWith(view: TrustChanges, model: TrustModel): Promise<void> {
  const workspace = model.workspaces.find((w) => w.kind === 'project');
  if (!workspace) return;
  if (model.restricted) return void vscode.window.showWarningMessage(RESTRICTED);
  const refs = await new Promise<string[]>((resolve) =>
    execFile(
      'git',
      [
        ...GIT_SAFE_CONFIG,
        '-C',
        workspace.paths.root,
        'for-each-ref',
        '--format=%(refname:short)',
        'refs/heads',
        'refs/tags',
      ],
      (error, stdout) => resolve(error ? [] : stdout.split('\n').filter(Boolean)),
    ),
  );
  const picked = await vscode.window.showQuickPick(
    ['HEAD', ...refs].map((label) => ({
      label,
      description: label === view.baseRevision ? vscode.l10n.t('current') : undefined,
    })),
    { title: vscode.l10n.t('Compare the trust picture with…') },
  );
  if (!picked) return;
  log().info(`Trust Changes: comparing the working tree with ${picked.label}`);
  await view.compareWith(picked.label);
}

/**
 * Undoes one change of the Trust Changes view: a package goes back to the
 * base's version (installed again, verified, from its registry); a policy
 * setting goes back to the whole value the base's project config gives it
 * (revert-policy.ts).
 */
export async function revertTrustChange(view: TrustChanges, model: TrustModel, node: Node | undefined): Promise<void> {
  if (!node || (node.kind !== 'package' && node.kind !== 'policy') || !node.workspace.config) return;
  if (node.kind === 'policy') return revertPolicyChange(view, model, node);
  const { workspace, change } = node;
  const config = workspace.config!;
  const before = change.before;
  if (!before) return;
  const go = vscode.l10n.t('Install {0}', `${change.name}@${before.version}`);
  const answer = await vscode.window.showWarningMessage(
    notice('Go back to {0} as in {1}?', `${change.name}@${before.version}`, view.baseRevision),
    {
      modal: true,
      detail: vscode.l10n.t('It is installed again from its registry, verified first, and recorded as it was.'),
    },
    go,
  );
  if (answer !== go) return;
  const entry = workspace.reports.find((r) => r.name === change.name);
  await installPackages([`${change.name}@${before.version}`], {
    workspace: workspace.paths,
    config,
    registry: findRegistry(
      config.registries,
      entry?.source && config.registries.some((r) => r.name === entry.source) ? entry.source : undefined,
    ),
    ...verificationServices(config, model.homeDir),
    force: true,
    acceptChanges: true,
    homeDir: model.homeDir,
  });
  log().info(`Trust Changes: reverted ${change.name} to ${view.baseRevision}`);
  await model.refresh();
}
