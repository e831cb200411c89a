import * as vscode from 'vscode';
import { projectConfigPath } from '../core/config/paths.ts';
import { assertConfigFileWritable } from '../core/config/project-write.ts';
import { outcome, STATUS_LABEL, tally } from '../core/verify/verdict/vocabulary.ts';
import { YamlSource } from '../core/yaml/source.ts';
import { importKey } from './import-key.ts';
import { installPackage } from './install-package.ts';
import { toRange } from './ranges.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { EffectivePolicyDocuments } from './policy-document.ts';
import { openPolicyForm } from './policy-editor.ts';
import { publishSigned } from './publish-signed.ts';
import { restoreDeployedCopies } from './restore-deployed.ts';
import { reviewLostPolicy } from './lost-policy.ts';
import { acceptSignerChange } from './accept-change.ts';
import { compareTrustWith, revertTrustChange } from './trust-changes.ts';
import type { TrustChanges } from './trust-changes.ts';
import { approveVersion } from './approve-version.ts';
import { cosignPublishedVersion } from './cosign-version.ts';
import { fetchKey } from './fetch-key.ts';
import type { AuditLogView } from './audit-log-view.ts';
import type { RegistryAccounts } from './registry-accounts.ts';
import type { ComplianceReportPanel } from './compliance-report.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { editAndSave } from './text-edit.ts';
import { pickPackage, trustSigner } from './trust-signer.ts';
import type { Node } from './verification-view.ts';
import type { CommandId } from './command-ids.ts';
import { showWhatIf } from './what-if.ts';
import { closeReview, installFromReview, reviewUpdateCommand } from './review-update.ts';
import type { ReviewArg } from './review-update.ts';
import type { ReviewView } from './review-view.ts';
import { offline, signIn, signOut } from './sign-in-commands.ts';
import { inert } from './notification-text.ts';

const NEW_POLICY = `# AAM trust policy. AAM Trust validates this file and explains each setting on hover.
security:
  require_signature: false
  on_signature_failure: warn # warn | error | ignore
  trusted_identities: [] # e.g. "alice@example.com", "*@example.com", github:acme/tools
  trusted_keys: [] # full OpenPGP fingerprints
`;

/** Every AAM command, by id: each is one short function over the model. Registered at activation (see extension.ts). */
export function commandHandlers(
  model: TrustModel,
  session: SigstoreSession,
  trustChanges: TrustChanges,
  auditLog: AuditLogView,
  reviews: ReviewView,
  accounts: RegistryAccounts,
  complianceReport: ComplianceReportPanel,
): Record<CommandId, (...args: never[]) => unknown> {
  const packageArg = (node: Node | undefined) =>
    node?.kind === 'package' ? { workspaceId: node.workspace.id, packageName: node.report.name } : undefined;
  return {
    'aam.verifyAll': () => verifyAll(model),
    'aam.refresh': () => model.refresh(),
    'aam.verifyPackage': (node: Node | undefined) => verifyPackage(model, packageArg(node)),
    'aam.installPackage': () => installPackage(model),
    'aam.trustSigner': (arg: Node | Parameters<typeof trustSigner>[1] | undefined) =>
      trustSigner(model, arg && 'kind' in arg ? packageArg(arg) : arg),
    'aam.importKey': () => importKey(model),
    'aam.showEffectivePolicy': () => showEffectivePolicy(model),
    'aam.signIn': () => signIn(model, session),
    'aam.signOut': () => signOut(model, session),
    'aam.prepareOffline': () => offline(model),
    'aam.openTrustPolicy': () => openTrustPolicy(model),
    'aam.publishSigned': (folder: vscode.Uri | undefined) =>
      publishSigned(model, session, folder instanceof vscode.Uri ? folder : undefined, accounts.registryContext()),
    'aam.revealBundle': (node: Node | undefined) => revealBundle(model, packageArg(node)),
    'aam.showInLockFile': (arg: Node | { workspaceId: string; packageName: string } | undefined) =>
      showInLockFile(model, arg && 'kind' in arg ? packageArg(arg) : arg),
    'aam.showComplianceReport': () => complianceReport.show(),
    'aam.showWhatIf': () => showWhatIf(model),
    'aam.acceptSignerChange': (
      arg:
        | Node
        | { kind: 'package'; workspace: AamWorkspace; change: { name: string } }
        | { workspaceId: string; packageName: string }
        | undefined,
    ) => acceptSignerChange(model, acceptArg(arg)),
    'aam.compareTrustWith': () => compareTrustWith(trustChanges, model),
    'aam.revertTrustChange': (node: Parameters<typeof revertTrustChange>[2]) =>
      revertTrustChange(trustChanges, model, node),
    'aam.approveVersion': () => approveVersion(model, session, accounts.registryContext()),
    'aam.registrySignIn': () => accounts.signIn(),
    'aam.registrySignOut': () => accounts.signOut(),
    'aam.registryTokens': () => accounts.manageTokens(),
    'aam.refreshAuditLog': () => auditLog.refresh(),
    'aam.cosignVersion': (arg: Node | { workspaceId: string; packageName: string } | undefined) =>
      cosignPublishedVersion(model, session, arg && 'kind' in arg ? packageArg(arg) : arg, accounts.registryContext()),
    'aam.fetchKey': (arg: { key?: string; lockFile?: string } | undefined) => fetchKey(model, arg),
    'aam.reviewUpdate': (arg: Node | ReviewArg | undefined) =>
      reviewUpdateCommand(
        model,
        reviews,
        arg && 'kind' in arg
          ? arg.kind === 'package'
            ? { workspaceId: arg.workspace.id, packageName: arg.report.name }
            : arg.kind === 'update'
              ? { workspaceId: arg.workspace.id, packageName: arg.report.name, version: arg.version }
              : undefined
          : arg,
      ),
    'aam.installReviewed': () => installFromReview(model, reviews),
    'aam.cancelReview': () => closeReview(reviews),
    'aam.reviewLostPolicy': (arg: { workspaceId: string } | undefined) => reviewLostPolicy(model, arg),
    'aam.restoreDeployed': (arg: Node | { workspaceId: string; packageName: string } | undefined) =>
      restoreDeployedCopies(model, arg && 'kind' in arg ? packageArg(arg) : arg),
  };
}

/** The package an Accept names: a Verification row, a Trust Changes row, or explicit arguments. */
function acceptArg(arg: unknown): { workspaceId: string; packageName: string } | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as {
    kind?: string;
    workspace?: AamWorkspace;
    report?: { name: string };
    change?: { name: string };
    workspaceId?: string;
    packageName?: string;
  };
  if (node.kind === 'package' && node.workspace)
    return { workspaceId: node.workspace.id, packageName: node.report?.name ?? node.change!.name };
  return node.workspaceId && node.packageName
    ? { workspaceId: node.workspaceId, packageName: node.packageName }
    : undefined;
}

/** Verify All trusts no stored result: every package is checked from scratch. */
async function verifyAll(model: TrustModel): Promise<void> {
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Verifying installed AAM packages'),
      cancellable: true,
    },
    (progress, token) => {
      let reported = 0;
      return model.refresh({
        token,
        force: true,
        onProgress: (done, total) => {
          const percent = (100 * done) / Math.max(total, 1);
          progress.report({
            message: vscode.l10n.t('{0} of {1} packages', done, total),
            increment: percent - reported,
          });
          reported = percent;
        },
      });
    },
  );
  const reports = model.allReports().map((r) => r.report);
  const counts = tally(reports);
  const failed = reports.filter((r) => outcome(r) === 'fail');
  const text = vscode.l10n.t('Checked {0}.', counts.line);
  if (failed.length > 0)
    void vscode.window.showErrorMessage(
      inert(
        `${text} ${vscode.l10n.t('Failed: {0}', failed.map((f) => `${f.name} (${[f.verdict.action === 'fail' ? f.verdict.code : undefined, ...f.findings.map((x) => x.code)].filter(Boolean).join(', ')})`).join(', '))}`,
      ),
    );
  else if (counts.warnings > 0) void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
}

async function verifyPackage(
  model: TrustModel,
  arg: { workspaceId: string; packageName: string } | undefined,
): Promise<void> {
  let target = arg;
  if (!target) {
    const picked = await vscode.window.showQuickPick(
      model.allReports().map(({ workspace, report }) => ({
        label: report.name,
        description: `${report.version} · ${STATUS_LABEL[report.verdict.status]}`,
        detail: workspace.label,
        workspace,
        report,
      })),
      { title: vscode.l10n.t('Verify which package?') },
    );
    if (!picked) return;
    target = { workspaceId: picked.workspace.id, packageName: picked.report.name };
  }
  // A refresh under way (say, one a file change started) would publish what it read after this check.
  await model.idle();
  const workspace = model.workspaces.find((w) => w.id === target.workspaceId);
  if (!workspace) return;
  // Asked for by name: checked from scratch, not from a stored result.
  await model.verify(workspace, { only: [target.packageName], force: true });
  const report = workspace.reports.find((r) => r.name === target.packageName);
  if (!report) return;
  const text = inert(
    [
      `${report.name}@${report.version}: ${STATUS_LABEL[report.verdict.status]} — ${report.verdict.message}`,
      ...report.findings.map((f) => f.message),
    ].join(' '),
  );
  if (outcome(report) === 'fail') void vscode.window.showErrorMessage(text);
  else if (outcome(report) === 'warn') void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
}

async function showEffectivePolicy(model: TrustModel): Promise<void> {
  const workspace = await pickWorkspace(model, vscode.l10n.t('Show the policy of which workspace?'));
  if (!workspace) return;
  const document = await vscode.workspace.openTextDocument(EffectivePolicyDocuments.uriFor(workspace));
  await vscode.languages.setTextDocumentLanguage(document, 'yaml');
  await vscode.window.showTextDocument(document, { preview: true });
}

async function openTrustPolicy(model: TrustModel): Promise<void> {
  const projects = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  const items = [
    ...projects.map((f) => ({
      label: vscode.l10n.t('Project policy'),
      description: `${f.name}/.aam/config.yaml`,
      file: projectConfigPath(f.uri.fsPath),
    })),
    { label: vscode.l10n.t('Global policy'), description: '~/.aam/config.yaml', file: model.globalConfigFile },
  ];
  const picked =
    items.length === 1
      ? items[0]
      : await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Open which trust policy?') });
  if (!picked) return;
  // A project whose .aam links to ~/.aam would have its "project policy" written into the global one.
  await assertConfigFileWritable(picked.file, model.globalConfigFile);
  const uri = vscode.Uri.file(picked.file);
  const exists = await vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
  if (!exists) await editAndSave(uri, () => NEW_POLICY);
  await openPolicyForm(uri);
}

async function revealBundle(
  model: TrustModel,
  arg: { workspaceId: string; packageName: string } | undefined,
): Promise<void> {
  const found = await pickPackage(model, arg, (report) => !!report.signatureFile);
  if (!found?.report.signatureFile) {
    void vscode.window.showInformationMessage(vscode.l10n.t('This package has no signature file.'));
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(found.report.signatureFile), { preview: true });
}

async function showInLockFile(
  model: TrustModel,
  arg: { workspaceId: string; packageName: string } | undefined,
): Promise<void> {
  const found = await pickPackage(model, arg, () => true);
  if (!found) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(found.workspace.paths.lockFile));
  const range = toRange(new YamlSource(document.getText()).keyRange(['packages', found.report.name]));
  await vscode.window.showTextDocument(document, { selection: range });
}

async function pickWorkspace(model: TrustModel, title: string): Promise<AamWorkspace | undefined> {
  if (model.workspaces.length <= 1) return model.workspaces[0];
  return (
    await vscode.window.showQuickPick(
      model.workspaces.map((w) => ({ label: w.label, description: w.paths.root, workspace: w })),
      { title },
    )
  )?.workspace;
}
