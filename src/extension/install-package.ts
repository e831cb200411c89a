import * as vscode from 'vscode';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { InstallRefusedError } from '../core/errors.ts';
import { installPackages } from '../core/workflows/install/install.ts';
import type { InstallOptions } from '../core/workflows/install/install.ts';
import type { Registry } from '../core/registry/registry.ts';
import { openRegistry } from '../core/registry/open.ts';
import { showError } from './errors.ts';
import { log } from './log.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { verificationServices } from '../core/verify/services.ts';
import { labelText } from './markdown-text.ts';
import { inert, notice } from './notification-text.ts';

/** AAM: Install Package… — verified first; nothing is written if the verdict fails. */
export async function installPackage(model: TrustModel): Promise<void> {
  try {
    await model.refresh();
    const workspace = await pickWorkspace(model);
    if (!workspace?.config) return;
    const entries = workspace.config.registries;
    if (entries.length === 0) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('No registry is configured. Add one under registries: in ~/.aam/config.yaml.'),
      );
      return;
    }
    const entry =
      entries.length === 1
        ? entries[0]
        : (
            await vscode.window.showQuickPick(
              entries.map((r) => ({ label: r.name, description: r.url, entry: r })),
              { title: vscode.l10n.t('Install from which registry?') },
            )
          )?.entry;
    if (!entry) return;
    const registry = openRegistry(entry);
    const available = await registry.list();
    const picked = await vscode.window.showQuickPick(
      // A registry's words (names, tags, descriptions) as text: no theme icon, line break or bidi control of theirs.
      available.map((m) => ({
        label: labelText(m.name),
        description: labelText(
          m.dist_tags.latest ??
            (m.versions.some((v) => v.approval === 'pending') ? vscode.l10n.t('waiting for approval') : ''),
        ),
        detail: labelText(m.description ?? ''),
        spec: m.name,
      })),
      {
        title: vscode.l10n.t('Install which package?'),
        placeHolder: vscode.l10n.t('Type to filter; {0} packages in {1}', available.length, registry.name),
      },
    );
    if (!picked) return;
    const installed = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: notice('Installing {0}', picked.spec),
        cancellable: false,
      },
      (progress) => installPackages([picked.spec], installOptions(model, workspace, registry, progress)),
    );
    await model.refresh();
    for (const item of installed)
      log().info(
        `Installed ${item.name}@${item.version}: ${STATUS_LABEL[item.verdict.status]} — ${item.verdict.message}`,
      );
    // What verify would warn of beside the verdict (a signature that does not verify beside those that count).
    for (const item of installed)
      for (const finding of item.findings) log().warn(`${item.name}@${item.version}: ${finding.message}`);
    const warnings = installed.flatMap((i) => [
      ...(i.verdict.action === 'warn' ? [i.verdict.message] : []),
      ...i.findings.map((f) => f.message),
    ]);
    const text =
      installed.length === 0
        ? notice('{0} is already installed.', picked.spec)
        : notice(
            'Installed {0}.',
            installed.map((i) => `${i.name}@${i.version} (${STATUS_LABEL[i.verdict.status]})`).join(', '),
          );
    if (warnings.length > 0) void vscode.window.showWarningMessage(inert(`${text} ${warnings.join(' ')}`));
    else void vscode.window.showInformationMessage(text);
  } catch (error) {
    if (error instanceof InstallRefusedError) await model.refresh();
    const approve = {
      title: vscode.l10n.t('Approve or Reject…'),
      run: () => vscode.commands.executeCommand('aam.approveVersion'),
    };
    await showError(error, { VERSION_PENDING_APPROVAL: [approve], APPROVAL_MISSING: [approve] });
  }
}

async function pickWorkspace(model: TrustModel): Promise<AamWorkspace | undefined> {
  const projects = model.workspaces.filter((w) => w.kind === 'project');
  if (projects.length === 1) return projects[0];
  if (projects.length === 0) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Open a project folder with a .aam folder first (create an empty .aam folder to start one).'),
    );
    return undefined;
  }
  return (
    await vscode.window.showQuickPick(
      projects.map((w) => ({ label: w.label, description: w.paths.root, workspace: w })),
      { title: vscode.l10n.t('Install into which project?') },
    )
  )?.workspace;
}

/** What an install (or a review of one) from the editor is given: the workspace, its policy, the registry, progress. */
export function installOptions(
  model: TrustModel,
  workspace: AamWorkspace,
  registry: Registry,
  progress: vscode.Progress<{ message?: string }>,
): InstallOptions {
  return {
    workspace: workspace.paths,
    config: workspace.config!,
    registry,
    ...verificationServices(workspace.config!, model.homeDir),
    homeDir: model.homeDir,
    onStep: (message) => progress.report({ message: inert(message) }),
  };
}
