import * as vscode from 'vscode';
import { prepareOffline } from '../core/workflows/prepare-offline.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { evidenceCache } from '../core/verify/services.ts';
import { notice } from './notification-text.ts';

/** Commands that reach the Sigstore instance: sign in and out of its OIDC issuer, and cache what offline verification needs. */

export async function signIn(model: TrustModel, session: SigstoreSession): Promise<void> {
  const issuer = await issuerOf(model);
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
  // Signing out sends nothing anywhere: whichever issuer the configs name, its session ends.
  await session.signOut(await issuerOf(model).catch(() => mergedIssuerOf(model)));
  void vscode.window.showInformationMessage(vscode.l10n.t('Signed out of Sigstore.'));
}

const PUBLIC_GOOD_ISSUER = 'https://oauth2.sigstore.dev/auth';

/**
 * Where to sign in: as signing decides it (signing-instance.ts), from the global config only. A
 * repository's config that names another issuer is refused, naming both: it could otherwise open a
 * sign-in page of its choosing, where the user would type their identity provider's password.
 */
async function issuerOf(model: TrustModel): Promise<string> {
  const config = model.workspaces.find((w) => w.config)?.config;
  if (!config) return PUBLIC_GOOD_ISSUER;
  const { signingSetting } = await import('../core/sigstore/signing-instance.ts');
  return signingSetting(config, 'sigstore_oidc_issuer') ?? PUBLIC_GOOD_ISSUER;
}

function mergedIssuerOf(model: TrustModel): string {
  return model.workspaces.find((w) => w.config)?.config?.security.sigstore_oidc_issuer ?? PUBLIC_GOOD_ISSUER;
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
