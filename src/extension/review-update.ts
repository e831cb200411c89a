import * as vscode from 'vscode';
import { textOf } from '../core/content/scan.ts';
import { displayPath } from '../core/deploy/surface.ts';
import { openRegistry } from '../core/registry/open.ts';
import { compareVersions, isValidVersion, parseVersion } from '../core/model/versions.ts';
import { installReviewed } from '../core/workflows/install/install.ts';
import { reviewUpdate } from '../core/workflows/review/review.ts';
import type { UpdateReview } from '../core/workflows/review/review.ts';
import { verificationServices } from '../core/verify/services.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { showError } from './errors.ts';
import { installOptions } from './install-package.ts';
import { log } from './log.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { REVIEW_SCHEME } from './selectors.ts';
import type { OpenReview, ReviewView } from './review-view.ts';
import { inert, notice } from './notification-text.ts';

/** What AAM: Review Update… is asked about: a package (and version) of a workspace, or nothing (it asks). */
export interface ReviewArg {
  workspaceId: string;
  packageName: string;
  version?: string;
}

let counter = 0;

/**
 * AAM: Review Update… — what agents would load differently: the update is
 * fetched, verified and planned (nothing written), every changed deployed
 * file opens in VS Code's diff editor (one entry per file), and the Update
 * Review view shows the trust changes beside it, with Install and Cancel.
 */
export async function reviewUpdateCommand(model: TrustModel, view: ReviewView, arg?: ReviewArg): Promise<void> {
  try {
    const target = arg ?? (await pickUpdate(model));
    if (!target) return;
    const workspace = model.workspaces.find((w) => w.id === target.workspaceId);
    const report = workspace?.reports.find((r) => r.name === target.packageName);
    if (!workspace?.config || !report) return;
    const entry = workspace.config.registries.find((r) => r.name === report.source) ?? workspace.config.registries[0];
    if (!entry) throw new Error(vscode.l10n.t('No registry is configured for {0}.', report.name));
    const registry = openRegistry(entry);
    const version = target.version ?? model.updates.get(`${workspace.id}|${report.name}`) ?? 'latest';
    const review = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: notice('Preparing the review of {0}', `${report.name}@${version}`),
      },
      (progress) => reviewUpdate([`${report.name}@${version}`], installOptions(model, workspace, registry, progress)),
    );
    const open = openReview(workspace, review, model.homeDir);
    view.show(open);
    await vscode.commands.executeCommand('setContext', 'aam.reviewing', true);
    await showChanges(open);
    await vscode.commands.executeCommand('aam.review.focus');
  } catch (error) {
    await showError(error);
  }
}

function openReview(workspace: AamWorkspace, review: UpdateReview, home: string): OpenReview {
  const id = `r${++counter}`;
  const roots = { project: workspace.paths.root, home };
  const files = review.packages
    .flatMap((pkg) => pkg.files)
    .map((file, index) => {
      const label = displayPath(file.path, roots);
      const uri = (side: string) =>
        // The file's own path after the review's place in it: editors name and treat it as that file.
        vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${id}/${side}/${index}/${label.replace(/^~\//, 'home/')}` });
      return { file, before: uri('before'), after: uri('after'), label };
    });
  return { id, workspace, review, files };
}

/** Every changed file in one multi-file diff editor (a single diff when only one changed). */
async function showChanges(open: OpenReview): Promise<void> {
  const title = vscode.l10n.t(
    'Update review: {0}',
    open.review.packages.map((p) => `${p.name} ${p.from ?? '∅'} → ${p.to}`).join(', '),
  );
  if (open.files.length === 0) {
    void vscode.window.showInformationMessage(notice('{0}: no file an agent loads would change.', title));
    return;
  }
  if (open.files.length === 1) {
    const [only] = open.files;
    await vscode.commands.executeCommand('vscode.diff', only!.before, only!.after, `${only!.label} (${title})`);
    return;
  }
  await vscode.commands.executeCommand(
    'vscode.changes',
    title,
    open.files.map((f) => [vscode.Uri.file(f.file.path), f.before, f.after]),
  );
}

/** The text of a review document: a changed file's side (empty where there is no file), or a binary note. */
export function reviewDocument(reviews: ReadonlyMap<string, OpenReview>, uri: vscode.Uri): string {
  const [, id, side, index] = uri.path.split('/');
  const found = reviews.get(id ?? '')?.files[Number(index)];
  if (!found) return '';
  const bytes = side === 'before' ? found.file.before : found.file.after;
  if (bytes === undefined) return '';
  return textOf(bytes) ?? vscode.l10n.t('(binary file, {0} bytes)', bytes.length);
}

/** Installs exactly what the review showed, after the reviewer said so. */
export async function installFromReview(model: TrustModel, view: ReviewView): Promise<void> {
  const open = view.current;
  if (!open) return;
  try {
    const installed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Installing the reviewed update') },
      (progress) =>
        installReviewed(open.review.prepared, {
          workspace: open.workspace.paths,
          ...verificationServices(open.workspace.config!, model.homeDir),
          acceptChanges: true,
          onStep: (message) => progress.report({ message: inert(message) }),
        }),
    );
    await closeReview(view);
    for (const item of installed) log().info(`Installed ${item.name}@${item.version} after review`);
    void vscode.window.showInformationMessage(
      notice(
        'Installed {0}.',
        installed.map((i) => `${i.name}@${i.version} (${STATUS_LABEL[i.verdict.status]})`).join(', '),
      ),
    );
    await model.refresh();
  } catch (error) {
    await showError(error);
  }
}

/** Cancel: the review's editors close and nothing was written. */
export async function closeReview(view: ReviewView): Promise<void> {
  const open = view.current;
  view.show(undefined);
  await vscode.commands.executeCommand('setContext', 'aam.reviewing', false);
  if (!open) return;
  for (const group of vscode.window.tabGroups.all)
    for (const tab of group.tabs) {
      const input = tab.input as { modified?: vscode.Uri; original?: vscode.Uri; uri?: vscode.Uri } | undefined;
      const uris = [input?.modified, input?.original, input?.uri].filter(Boolean) as vscode.Uri[];
      const multi = tab.label.startsWith(vscode.l10n.t('Update review: {0}', '').trim());
      if (multi || uris.some((u) => u.scheme === REVIEW_SCHEME && u.path.startsWith(`/${open.id}/`)))
        await vscode.window.tabGroups.close(tab);
    }
}

/** Which installed package to review, and to what: those with an update first. */
async function pickUpdate(model: TrustModel): Promise<ReviewArg | undefined> {
  const items = model
    .allReports()
    .filter(({ workspace }) => workspace.kind === 'project')
    .map(({ workspace, report }) => {
      const update = model.updates.get(`${workspace.id}|${report.name}`);
      return {
        label: report.name,
        description: update ? vscode.l10n.t('{0} → {1} available', report.version, update) : report.version,
        detail: workspace.label,
        arg: { workspaceId: workspace.id, packageName: report.name, ...(update ? { version: update } : {}) },
        update: !!update,
      };
    })
    .sort((a, b) => Number(b.update) - Number(a.update) || a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Review the update of which package?'),
  });
  if (!picked) return undefined;
  if (picked.update) return picked.arg;
  const version = await vscode.window.showInputBox({
    title: vscode.l10n.t('Review {0} at which version?', picked.label),
    value: 'latest',
  });
  return version ? { ...picked.arg, version } : undefined;
}

/**
 * Newer versions of installed packages in their registries (one listing per
 * registry), as `workspace|name → version`: the Verification view offers a
 * review of each. A registry that cannot be reached offers nothing.
 */
export async function findUpdates(model: TrustModel): Promise<Map<string, string>> {
  const updates = new Map<string, string>();
  for (const workspace of model.workspaces) {
    if (workspace.kind !== 'project' || !workspace.config) continue;
    for (const entry of workspace.config.registries) {
      const listed = await openRegistry(entry)
        .list()
        .catch(() => []);
      const latest = new Map(listed.map((m) => [m.name, m.dist_tags.latest]));
      for (const report of workspace.reports) {
        const newer = report.source === entry.name ? latest.get(report.name) : undefined;
        if (newer && isValidVersion(newer) && isValidVersion(report.version))
          if (compareVersions(parseVersion(newer), parseVersion(report.version)) > 0)
            updates.set(`${workspace.id}|${report.name}`, newer);
      }
    }
  }
  return updates;
}
