import * as vscode from 'vscode';
import { prepareOffline } from '../core/workflows/prepare-offline.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { evidenceCache } from '../core/verify/services.ts';
import { notice } from './notification-text.ts';

/** Commands that reach the Sigstore instance: sign in and out of its OIDC issuer, and cache what offline verification needs. */

export async function signIn(model: TrustModel, session: SigstoreSession): Promise<void> {
  const issuer = issuerOf(model);
  const token = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: notice('Signing in to Sigstore at {0} (finish in your browser)', issuer),
      cancellable: true,
    },
    (_p, cancel) => session.signIn(issuer, cancel),
  );
  const { tokenIdentity } = await import('../core/sigstore/identity/token.ts');
  void vscode.window.showInformationMessage(notice('Signed in to Sigstore as {0}.', tokenIdentity(token).identity));
}

export async function signOut(model: TrustModel, session: SigstoreSession): Promise<void> {
  await session.signOut(issuerOf(model));
  void vscode.window.showInformationMessage(vscode.l10n.t('Signed out of Sigstore.'));
}

function issuerOf(model: TrustModel): string {
  return (
    model.workspaces.find((w) => w.config)?.config?.security.sigstore_oidc_issuer ?? 'https://oauth2.sigstore.dev/auth'
  );
}

export async function offline(model: TrustModel): Promise<void> {
  const lines: string[] = [];
  for (const workspace of model.workspaces) {
    if (!workspace.config) continue;
    const result = await prepareOffline({
      workspace: workspace.paths,
      config: workspace.config,
      cache: evidenceCache(model.homeDir),
      homeDir: model.homeDir,
    });
    lines.push(...result.cached.map((c) => `✓ ${c}`), ...result.missing.map((m) => `✗ ${m}`));
    for (const line of lines) log().info(line);
    if (result.missing.length > 0)
      void vscode.window.showWarningMessage(
        notice(
          '{0}: {1} packages cached for offline verification, {2} unavailable (see the log).',
          workspace.label,
          result.cached.length,
          result.missing.length,
        ),
      );
    else
      void vscode.window.showInformationMessage(
        notice('{0}: {1} packages cached for offline verification.', workspace.label, result.cached.length),
      );
  }
}
