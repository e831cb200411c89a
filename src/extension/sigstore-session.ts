import * as vscode from 'vscode';
import type { IdentityProvider } from '@sigstore/sign';
import { isFresh, tokenIdentity } from '../core/sigstore/identity/token.ts';
import { signInWithBrowser } from '../core/sigstore/identity/oauth-flow.ts';
import { log } from './log.ts';

const KEY = (issuer: string) => `aam.sigstore.idToken:${issuer}`;

/**
 * Sigstore sign-in: the authorization-code + PKCE flow with a loopback
 * redirect, opened in the user's browser. The ID token lives only in
 * SecretStorage, for as long as it is valid; it is never logged.
 */
export class SigstoreSession {
  private readonly secrets: vscode.SecretStorage;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(secrets: vscode.SecretStorage) {
    this.secrets = secrets;
  }

  /** Who is signed in at `issuer`, if the stored token is still valid. */
  async current(issuer: string): Promise<{ identity: string; expiresAt: Date | undefined } | undefined> {
    const token = await this.secrets.get(KEY(issuer));
    return token && isFresh(token) ? tokenIdentity(token) : undefined;
  }

  async signIn(issuer: string, token?: vscode.CancellationToken): Promise<string> {
    log().info(`Signing in to Sigstore at ${issuer}`);
    const abort = new AbortController();
    const subscription = token?.onCancellationRequested(() => abort.abort());
    try {
      const idToken = await signInWithBrowser({
        issuer,
        signal: abort.signal,
        openUrl: async (url) => {
          const opened = await vscode.env.openExternal(vscode.Uri.parse(url, true));
          if (!opened) throw new Error('the browser did not open');
        },
      });
      await this.secrets.store(KEY(issuer), idToken);
      this.changed.fire();
      return idToken;
    } finally {
      subscription?.dispose();
    }
  }

  async signOut(issuer: string): Promise<void> {
    await this.secrets.delete(KEY(issuer));
    this.changed.fire();
  }

  /** Tokens for signing: an ambient CI token, a stored valid one, or a fresh sign-in. */
  identityProvider(issuer: string, token?: vscode.CancellationToken): IdentityProvider {
    return {
      getToken: async () => {
        if (process.env.SIGSTORE_ID_TOKEN) return process.env.SIGSTORE_ID_TOKEN;
        const stored = await this.secrets.get(KEY(issuer));
        if (stored && isFresh(stored, 60_000)) return stored;
        return this.signIn(issuer, token);
      },
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
