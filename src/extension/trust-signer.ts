import * as vscode from 'vscode';
import { STATUS_LABEL } from '../core/verify/vocabulary.ts';
import { addToListEdit, applyConfigEdits } from '../core/config/edit.ts';
import type { ConfigEdit } from '../core/config/edit.ts';
import { projectConfigPath } from '../core/config/load.ts';
import { exactPatternFor, parseGithubWorkflowUri, parseGitlabProjectPath } from '../core/policy/identity.ts';
import type { Signer } from '../core/policy/trust-match.ts';
import type { PackageReport } from '../core/verify/verify-installed.ts';
import { globalConfigFile } from './model.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { editAndSave } from './text-edit.ts';
import { showError } from './errors.ts';
import { log } from './log.ts';

/** Arguments of `aam.trustSigner`: a package, and optionally the choices already made. */
export interface TrustSignerArgs {
  workspaceId: string;
  packageName: string;
  pattern?: string;
  target?: 'project' | 'global';
}

export interface TrustOption {
  label: string;
  detail: string;
  list: 'trusted_identities' | 'trusted_keys';
  value: string;
}

/** The entries that would trust `signer`, exact ones first. */
export function trustOptions(signer: Signer): TrustOption[] {
  if (signer.type === 'gpg') {
    return [{ label: signer.fingerprint, detail: vscode.l10n.t('Trust this OpenPGP key by its full fingerprint{0}', signer.userIds[0] ? ` (${signer.userIds[0]})` : ''), list: 'trusted_keys', value: signer.fingerprint }];
  }
  const options: TrustOption[] = [];
  const exact = exactPatternFor(signer.identity);
  if (exact) options.push({ label: exact, detail: vscode.l10n.t('Trust exactly this identity'), list: 'trusted_identities', value: exact });
  const github = parseGithubWorkflowUri(signer.identity.san);
  if (github) options.push({ label: `github:${github.owner}/${github.repo}`, detail: vscode.l10n.t('Trust any workflow of this GitHub repository'), list: 'trusted_identities', value: `github:${github.owner}/${github.repo}` });
  const gitlab = parseGitlabProjectPath(signer.identity.san);
  if (gitlab) options.push({ label: `gitlab:${gitlab}`, detail: vscode.l10n.t('Trust any pipeline of this GitLab project'), list: 'trusted_identities', value: `gitlab:${gitlab}` });
  return options;
}

/**
 * The config edits that make `report`'s signer trusted with `option` in the
 * `target` file. Lists replace each other when configs merge, so a project
 * list is started from the entries in effect now: adding one signer must not
 * drop the global ones.
 */
export function trustEdits(report: PackageReport, option: TrustOption, workspace: AamWorkspace, target: 'project' | 'global'): ConfigEdit[] {
  const edits: ConfigEdit[] = [addEntry(workspace, target, option.list, option.value)];
  const signer = report.verdict.signer;
  const allowed = workspace.config?.security.allowed_issuers ?? [];
  if (signer?.type === 'sigstore' && signer.identity.issuer && allowed.length > 0 && !allowed.includes(signer.identity.issuer)) {
    edits.push(addEntry(workspace, target, 'allowed_issuers', signer.identity.issuer));
  }
  return edits;
}

function addEntry(workspace: AamWorkspace, target: 'project' | 'global', list: 'trusted_identities' | 'trusted_keys' | 'allowed_issuers', value: string): ConfigEdit {
  const file = workspace.config?.files.find((f) => f.layer === target)?.value;
  // A global edit appends; a project file that lacks the list starts from what is in effect.
  const effective = target === 'project' ? workspace.config?.security[list] ?? [] : [];
  return addToListEdit(file, effective, ['security', list], value);
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
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no verified signer to trust.', report.name));
    return;
  }
  const options = trustOptions(signer);
  const option = args?.pattern ? options.find((o) => o.value === args.pattern) : options.length === 1 ? options[0] : await vscode.window.showQuickPick(options, { title: vscode.l10n.t('Trust the signer of {0}', report.name) });
  if (!option) return;
  const target = args?.target ?? (await pickTarget(model, workspace, option.list));
  if (!target) return;
  const file = target === 'project' ? projectConfigPath(workspace.paths.root) : globalConfigFile(model.homeDir);
  try {
    await editAndSave(vscode.Uri.file(file), (text) => applyConfigEdits(text, trustEdits(report, option, workspace, target)));
    log().info(`Trusted ${option.value} in ${option.list} of ${file}`);
    await model.refresh();
    const after = model.workspaces.find((w) => w.id === workspace.id)?.reports.find((r) => r.name === report.name);
    void vscode.window.showInformationMessage(vscode.l10n.t('Added {0} to {1} in {2}. {3} is now {4}.', option.value, option.list, file, report.name, after ? STATUS_LABEL[after.verdict.status] : 'unknown'));
  } catch (error) {
    await showError(error);
  }
}

async function pickTarget(model: TrustModel, workspace: AamWorkspace, list: TrustOption['list']): Promise<'project' | 'global' | undefined> {
  if (workspace.kind === 'global') return 'global';
  const overridden = projectHas(workspace, list);
  const items: (vscode.QuickPickItem & { target: 'project' | 'global' })[] = [
    { label: vscode.l10n.t('Project config'), description: '.aam/config.yaml', detail: vscode.l10n.t('Shared with everyone who clones this project'), target: 'project' },
    { label: vscode.l10n.t('Global config'), description: '~/.aam/config.yaml', detail: overridden ? vscode.l10n.t('No effect in this project: its config sets its own {0}', list) : vscode.l10n.t('Applies to all your projects'), target: 'global' },
  ];
  if (model.restricted) {
    items[0]!.detail = vscode.l10n.t('Ignored in Restricted Mode: a project setting cannot widen trust until you trust this workspace');
    items.reverse();
  }
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Where should this trust be recorded?') }))?.target;
}

/** The package an argument names, or one the user picks among those with a signer. */
export async function pickPackage(
  model: TrustModel,
  args: { workspaceId: string; packageName: string } | undefined,
  filter: (report: PackageReport) => boolean = (report) => !!report.verdict.signer && report.verdict.status !== 'verified',
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
    candidates.map((c) => ({ label: c.report.name, description: STATUS_LABEL[c.report.verdict.status], detail: c.report.verdict.message, candidate: c })),
    { title: vscode.l10n.t('Which package?') },
  );
  return picked?.candidate;
}
