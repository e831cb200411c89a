import * as vscode from 'vscode';
import { AamError } from '../core/errors.ts';
import { openRegistry } from '../core/registry/open.ts';
import type { RegistryContext } from '../core/registry/open.ts';
import { createSignatureVerifier } from '../core/signature/verifier.ts';
import { cosignVersion } from '../core/workflows/cosign.ts';
import { showError } from './errors.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { chooseSigner, signingFor } from './signer-choice.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { pickPackage } from './trust-signer.ts';
import { visible } from '../core/messages/shown-text.ts';
import { notice } from './notification-text.ts';

/**
 * AAM: Co-sign a Published Version… — a second person adds a signature to a
 * version already published (an installed package's, picked from the list or
 * its Verification row): the archive is checked against the registry, the
 * signatures it carries are shown, and the new one is verified before it is
 * stored beside them. Verification then counts every signer.
 */
export async function cosignPublishedVersion(
  model: TrustModel,
  session: SigstoreSession,
  arg: { workspaceId: string; packageName: string } | undefined,
  registries?: RegistryContext,
): Promise<void> {
  try {
    const found = await pickPackage(model, arg, (report) =>
      model.workspaces.some((w) => w.config?.registries.some((r) => r.name === report.source)),
    );
    if (!found) return;
    const { workspace, report } = found;
    const config = workspace.config;
    const entry = config?.registries.find((r) => r.name === report.source);
    if (!config || !entry)
      throw new AamError(
        'REGISTRY_NOT_FOUND',
        vscode.l10n.t('{0} came from {1}, which is not configured.', report.name, report.source),
      );
    // Signed in from the editor (AAM: Sign In to an HTTP Registry…), its token is used; else credentials.yaml.
    const registry = openRegistry(entry, registries ?? { homeDir: model.homeDir, env: process.env });
    const chosen = await chooseSigner(config, model, session);
    if (!chosen) return;
    const label = `${report.name}@${report.version}`;
    const already = report.verdict.signatures
      .map((j) =>
        j.check.state === 'valid'
          ? j.check.signer.type === 'sigstore'
            ? j.check.signer.identity.san
            : (j.check.signer.userIds[0] ?? j.check.signer.fingerprint)
          : j.file,
      )
      .join(', ');
    const go = vscode.l10n.t('Sign and Add');
    const answer = await vscode.window.showWarningMessage(
      notice('Co-sign {0} on {1}?', label, registry.name),
      {
        modal: true,
        detail: [
          // Signers' identities and user IDs are the publishers' words: each on its one line.
          vscode.l10n.t('Archive: {0}', visible(report.checksum)),
          vscode.l10n.t('Signed by: {0}', already ? visible(already) : vscode.l10n.t('nobody yet')),
          vscode.l10n.t('New signer: {0}', visible(chosen.signer)),
          '',
          vscode.l10n.t('Your signature is added beside the others; consumers count each trusted signer.'),
        ].join('\n'),
      },
      go,
    );
    if (answer !== go) return;
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: notice('Co-signing {0}', label),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: vscode.l10n.t('Checking the archive and signing…') });
        const signing = await signingFor(chosen.method, config, session, token, chosen.gpgKey, chosen.gpgHome);
        return cosignVersion({
          registry,
          name: report.name,
          version: report.version,
          signing: [signing],
          verifier: createSignatureVerifier(config, model.homeDir),
          hiddenContent: config.security.hidden_content,
          // What the dialog showed and the verification checked: the registry may have changed it since.
          expectedChecksum: report.checksum,
          onLine: (line) => log().info(line),
          signal: controller.signal,
        });
      },
    );
    await model.refresh();
    void vscode.window.showInformationMessage(
      notice(
        '✓ Co-signed {0}: {1} added on {2}.',
        label,
        outcome.signatures.map((s) => s.file).join(', '),
        registry.name,
      ),
    );
  } catch (error) {
    await showError(error);
  }
}
