import * as vscode from 'vscode';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { applyConfigEdits } from '../core/config/edit.ts';
import { projectConfigPath } from '../core/config/paths.ts';
import { issuerNote, PROJECT_TRUST_WARNING, trustOptionsFor, trustPlanFor } from '../core/config/trust-entries.ts';
import type { TrustOption, TrustPlan } from '../core/config/trust-entries.ts';
import type { Signer } from '../core/policy/trust-match.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { editAndSave } from './text-edit.ts';
import { assertProjectConfigWritable } from '../core/config/project-write.ts';
import { showError } from './errors.ts';
import { log } from './log.ts';
import { notice } from './notification-text.ts';

/** Arguments of `aam.trustSigner`: a package, and optionally the choices already made. */
export interface TrustSignerArgs {
  workspaceId: string;
  packageName: string;
  pattern?: string;
  target?: 'project' | 'global';
}

/** The entries that would trust `signer`, narrowest first (the exact identity pinned to its issuer). */
export function trustOptions(signer: Signer): TrustOption[] {
  return trustOptionsFor(signer).map((o) => ({ ...o, detail: vscode.l10n.t(o.detail) }));
}

/** What trusting `report`'s signer with `option` writes to the `target` file of `workspace`. */
export function trustPlan(
  report: PackageReport,
  option: TrustOption,
  workspace: AamWorkspace,
  target: 'project' | 'global',
): TrustPlan | undefined {
  const config = workspace.config;
  if (!config || !report.verdict.signer) return undefined;
  return trustPlanFor(report.verdict.signer, option, {
    layer: target,
    value: config.files.find((f) => f.layer === target)?.value,
    effective: config.security,
  });
}

/** Whether the project config sets `key` itself (and so replaces the global list). */
export function projectHas(workspace: AamWorkspace, key: string): boolean {
  const project = workspace.config?.files.find((f) => f.layer === 'project')?.value;
  const security = project?.security;
  return !!security && typeof security === 'object' && key in security;
}

export async function trustSigner(model: TrustModel, args: TrustSignerArgs | undefined): Promise<void> {
  const found = await pickPackage(model, args);
  if (!found) return;
  const { workspace, report } = found;
  const signer = report.verdict.signer;
  if (!signer) {
    void vscode.window.showInformationMessage(notice('{0} has no verified signer to trust.', report.name));
    return;
  }
  const options = trustOptions(signer);
  const option = args?.pattern
    ? options.find((o) => o.label === args.pattern)
    : options.length === 1
      ? options[0]
      : await vscode.window.showQuickPick(options, { title: vscode.l10n.t('Trust the signer of {0}', report.name) });
  if (!option) return;
  const target = args?.target ?? (await pickTarget(model, workspace, option.list));
  if (!target) return;
  const file = target === 'project' ? projectConfigPath(workspace.paths.root) : model.globalConfigFile;
  const plan = trustPlan(report, option, workspace, target);
  if (!plan) {
    void vscode.window.showWarningMessage(
      notice('The policy of {0} is not loaded, so nothing was written.', workspace.label),
    );
    return;
  }
  // Everything that will be written, before it is: the file, the YAML, what a new issuer opens, the project warning.
  const notes = [issuerNote(plan, vscode.l10n.t), target === 'project' ? vscode.l10n.t(PROJECT_TRUST_WARNING) : ''];
  const detail = [file, plan.preview, ...notes].filter(Boolean).join('\n\n');
  const confirmed = await vscode.window.showWarningMessage(
    notice('Trust {0} for {1}?', option.label, report.name),
    { modal: true, detail },
    vscode.l10n.t('Add to {0} config', target === 'project' ? vscode.l10n.t('project') : vscode.l10n.t('global')),
  );
  if (!confirmed) return;
  try {
    if (target === 'project') await assertProjectConfigWritable(workspace.paths.root, model.globalConfigFile);
    await editAndSave(vscode.Uri.file(file), (text) => applyConfigEdits(text, plan.edits));
    log().info(
      `Trusted ${option.label} in ${option.list} of ${file}${plan.issuer ? `, and added ${plan.issuer.added} to allowed_issuers` : ''}`,
    );
    await model.refresh();
    const after = model.workspaces.find((w) => w.id === workspace.id)?.reports.find((r) => r.name === report.name);
    void vscode.window.showInformationMessage(
      notice(
        'Added {0} to {1} in {2}. {3} is now {4}.',
        option.label,
        option.list,
        file,
        report.name,
        after ? STATUS_LABEL[after.verdict.status] : 'unknown',
      ),
    );
  } catch (error) {
    await showError(error);
  }
}

async function pickTarget(
  model: TrustModel,
  workspace: AamWorkspace,
  list: TrustOption['list'],
): Promise<'project' | 'global' | undefined> {
  if (workspace.kind === 'global') return 'global';
  const overridden = projectHas(workspace, list);
  const items: (vscode.QuickPickItem & { target: 'project' | 'global' })[] = [
    {
      label: vscode.l10n.t('Project config'),
      description: '.aam/config.yaml',
      detail: vscode.l10n.t('Shared with everyone who clones this project'),
      target: 'project',
    },
    {
      label: vscode.l10n.t('Global config'),
      description: '~/.aam/config.yaml',
      detail: overridden
        ? vscode.l10n.t('No effect in this project: its config sets its own {0}', list)
        : vscode.l10n.t('Applies to all your projects'),
      target: 'global',
    },
  ];
  if (model.restricted) {
    items[0]!.detail = vscode.l10n.t(
      'Ignored in Restricted Mode: a project setting cannot widen trust until you trust this workspace',
    );
    items.reverse();
  }
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Where should this trust be recorded?') }))
    ?.target;
}

/** The package an argument names, or one the user picks among those with a signer. */
export async function pickPackage(
  model: TrustModel,
  args: { workspaceId: string; packageName: string } | undefined,
  filter: (report: PackageReport) => boolean = (report) =>
    !!report.verdict.signer && report.verdict.status !== 'verified',
): Promise<{ workspace: AamWorkspace; report: PackageReport } | undefined> {
  if (args) {
    const workspace = model.workspaces.find((w) => w.id === args.workspaceId);
    const report = workspace?.reports.find((r) => r.name === args.packageName);
    return workspace && report ? { workspace, report } : undefined;
  }
  const candidates = model.allReports().filter(({ report }) => filter(report));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No installed package fits.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => ({
      label: c.report.name,
      description: STATUS_LABEL[c.report.verdict.status],
      detail: c.report.verdict.message,
      candidate: c,
    })),
    { title: vscode.l10n.t('Which package?') },
  );
  return picked?.candidate;
}
