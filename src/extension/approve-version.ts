import * as vscode from 'vscode';
import { AamError } from '../core/errors.ts';
import { signBytes } from '../core/workflows/publish.ts';
import { prepareApproval } from '../core/workflows/approve.ts';
import { HttpRegistry } from '../core/registry/http-registry.ts';
import { openRegistry } from '../core/registry/open.ts';
import type { RegistryContext } from '../core/registry/open.ts';
import { showError, showOutcome } from './errors.ts';
import { decided } from '../core/messages/outcomes.ts';
import { STEP } from '../core/messages/steps.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { chooseSigner, signingFor } from './signer-choice.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { inert, notice } from './notification-text.ts';

/**
 * AAM: Approve or Reject a Version — for an approver of an HTTP registry
 * whose publish_policy requires approval: pick a pending version, decide,
 * and sign the decision (registry, package, version, the SHA-256 of the
 * archive as downloaded here) with Sigstore or GPG, like a package.
 */
export async function approveVersion(
  model: TrustModel,
  session: SigstoreSession,
  registries?: RegistryContext,
): Promise<void> {
  try {
    const workspace = model.workspaces.find((w) => w.config?.registries.some((r) => r.type === 'http'));
    const config = workspace?.config;
    if (!config)
      throw new AamError('REGISTRY_NOT_FOUND', vscode.l10n.t('No HTTP registry is configured.'), {
        hint: vscode.l10n.t('Approvals live on HTTP registries: add one under registries: (type: http).'),
      });
    const entries = config.registries.filter((r) => r.type === 'http');
    const entry =
      entries.length === 1
        ? entries[0]
        : (
            await vscode.window.showQuickPick(
              entries.map((r) => ({ label: r.name, description: r.url, entry: r })),
              { title: vscode.l10n.t('Approve a version on which registry?') },
            )
          )?.entry;
    if (!entry) return;
    const registry = openRegistry(entry, registries ?? { homeDir: model.homeDir, env: process.env });
    if (!(registry instanceof HttpRegistry)) return;
    const pending = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: notice('Reading {0}…', registry.name) },
      async () =>
        (await registry.list()).flatMap((p) =>
          p.versions.filter((v) => v.approval === 'pending').map((v) => ({ name: p.name, version: v })),
        ),
    );
    if (pending.length === 0) {
      void vscode.window.showInformationMessage(notice('No version is waiting for approval on {0}.', registry.name));
      return;
    }
    const picked = await vscode.window.showQuickPick(
      pending.map((p) => ({
        label: `${p.name}@${p.version.version}`,
        description: vscode.l10n.t('published {0}', p.version.published.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
        detail: p.version.signatures?.[0]
          ? vscode.l10n.t(
              'signed by {0}',
              p.version.signatures[0].identity ?? p.version.signatures[0].fingerprint ?? p.version.signatures[0].type,
            )
          : vscode.l10n.t('not signed'),
        item: p,
      })),
      { title: vscode.l10n.t('Versions waiting for approval on {0}', registry.name) },
    );
    if (!picked) return;
    const { name, version } = picked.item;
    const approve = vscode.l10n.t('Approve');
    const reject = vscode.l10n.t('Reject');
    const decision = await vscode.window.showQuickPick([approve, reject], {
      title: vscode.l10n.t('{0}@{1}: approve or reject?', name, version.version),
    });
    if (!decision) return;
    const status = decision === approve ? 'approved' : 'rejected';
    const comment = await vscode.window.showInputBox({
      title: status === 'approved' ? vscode.l10n.t('Comment (optional)') : vscode.l10n.t('Why is it rejected?'),
      ignoreFocusOut: true,
      validateInput: (text) =>
        status === 'rejected' && !text.trim() ? vscode.l10n.t('A rejection says why.') : undefined,
    });
    if (comment === undefined) return;
    const chosen = await chooseSigner(config, model, session);
    if (!chosen) return;
    const label = `${name}@${version.version}`;
    const go = status === 'approved' ? vscode.l10n.t('Sign and Approve') : vscode.l10n.t('Sign and Reject');
    const answer = await vscode.window.showWarningMessage(
      status === 'approved'
        ? notice('Approve {0} on {1}?', label, registry.name)
        : notice('Reject {0} on {1}?', label, registry.name),
      {
        modal: true,
        detail: [
          vscode.l10n.t('Archive: {0}', version.checksum),
          vscode.l10n.t('Signer: {0}', chosen.signer),
          ...(comment ? [vscode.l10n.t('Comment: {0}', comment)] : []),
          '',
          vscode.l10n.t('The decision is signed, and clients check it against their own approvers.'),
        ].join('\n'),
      },
      go,
    );
    if (answer !== go) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: inert(label), cancellable: true },
      async (progress, token) => {
        const what = status === 'approved' ? 'approval' : 'rejection';
        progress.report({ message: inert(`${STEP.fetchingArchive(label)}…`) });
        // The archive the dialog showed: the registry may serve another since.
        const { document, sha256, registryName } = await prepareApproval(
          registry,
          name,
          version.version,
          { status, comment },
          version.checksum,
        );
        log().info(STEP.deciding(status, label, registryName, sha256));
        progress.report({ message: `${STEP.signing(what, chosen.method)}…` });
        const signing = await signingFor(chosen.method, config, session, token, chosen.gpgKey, chosen.gpgHome);
        const signature = await signBytes(document, signing, (line) => log().info(line), what);
        progress.report({ message: inert(`${STEP.sending(what, registry.name)}…`) });
        return registry.approve(name, version.version, {
          document,
          signature: signature.bytes,
          signatureType: signature.type,
          publicKey: signature.publicKey,
        });
      },
    );
    void vscode.commands.executeCommand('aam.refreshAuditLog');
    // Said as the CLI says it: approved, rejected, or recorded while a later decision stands.
    void showOutcome(
      decided(
        { label, registry: registry.name, signer: result.signer, decision: status, comment },
        result.approval_status,
      ),
    );
  } catch (error) {
    await showError(error);
  }
}
