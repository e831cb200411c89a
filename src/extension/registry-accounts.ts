import * as vscode from 'vscode';
import { hostname } from 'node:os';
import type { RegistryEntry } from '../core/config/settings.ts';
import {
  createApiToken,
  listApiTokens,
  logIn,
  registerAccount,
  revokeApiToken,
  signIn,
  TOKEN_SCOPES,
  whoAmI,
} from '../core/registry/accounts.ts';
import type { AccountToken } from '../core/registry/accounts.ts';
import { HttpRegistry } from '../core/registry/http-registry.ts';
import type { RegistryContext } from '../core/registry/open.ts';
import { assertCredentialTransport, sameRegistryUrl } from '../core/registry/registry-url.ts';
import { assertNotMovedByProject } from '../core/registry/token-binding.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { ACCOUNTS_KEY, registryAccounts } from './registry-status.ts';
import type { RegistryAccount } from './registry-status.ts';
import { notice } from './notification-text.ts';

const SECRET = (registry: string) => `aam.registryToken:${registry}`;

/**
 * Signing in to HTTP registries from VS Code: register, log in (the
 * session traded for an API token kept in SecretStorage, never the
 * password), sign out (the token revoked), and the user's tokens — listed,
 * made (shown once), revoked. Publishing and approving use the kept token.
 */
export class RegistryAccounts {
  private readonly context: vscode.ExtensionContext;
  private readonly model: TrustModel;

  constructor(context: vscode.ExtensionContext, model: TrustModel) {
    this.context = context;
    this.model = model;
  }

  /**
   * Where the registries of a command find their tokens: SecretStorage first (only for the URL the
   * account signed in to, whatever a workspace's config now calls by that name), then ~/.aam/credentials.yaml.
   */
  registryContext(): RegistryContext {
    return {
      homeDir: this.model.homeDir,
      env: process.env,
      tokenFor: async (registry) => {
        const account = registryAccounts(this.context.globalState).find((a) => a.registry === registry.name);
        if (!account || !sameRegistryUrl(account.url, registry.url)) return undefined;
        return this.context.secrets.get(SECRET(registry.name));
      },
    };
  }

  async signIn(): Promise<void> {
    const entry = await this.pickRegistry(vscode.l10n.t('Sign in to which registry?'));
    if (!entry) return;
    // Before a password is asked for: not in clear text, not where a workspace moved a name of the global config.
    assertCredentialTransport(entry.name, entry.url, 'a password or token');
    await assertNotMovedByProject(entry, this.model.homeDir, process.env);
    const registry = new HttpRegistry(entry.name, entry.url, { attempts: 1 });
    const how = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Sign in'), detail: vscode.l10n.t('with your username and password'), register: false },
        { label: vscode.l10n.t('Create an account'), detail: vscode.l10n.t('then sign in with it'), register: true },
      ],
      { title: vscode.l10n.t('{0} ({1}): sign in or create an account?', entry.name, entry.url) },
    );
    if (!how) return;
    const username = await ask(vscode.l10n.t('Username on {0}', entry.name), { validateInput: validUsername });
    if (!username) return;
    if (how.register) {
      const email = await ask(vscode.l10n.t('Email address (shown to no one but you)'), {
        validateInput: (v) => (/^[^@\s]+@[^@\s]+$/.test(v) ? undefined : vscode.l10n.t('An email address')),
      });
      if (!email) return;
      const password = await ask(
        vscode.l10n.t('New password for {0} on {1} ({2}), at least 8 characters', username, entry.name, entry.url),
        {
          password: true,
          validateInput: (v) => (v.length >= 8 ? undefined : vscode.l10n.t('At least 8 characters')),
        },
      );
      if (!password) return;
      await registerAccount(registry, { username, email, password });
      log().info(`Registered ${username} on ${entry.name} (${entry.url})`);
      await this.finishSignIn(entry, registry, username, password);
      return;
    }
    const password = await ask(vscode.l10n.t('Password for {0} on {1} ({2})', username, entry.name, entry.url), {
      password: true,
    });
    if (!password) return;
    await this.finishSignIn(entry, registry, username, password);
  }

  private async finishSignIn(entry: RegistryEntry, registry: HttpRegistry, username: string, password: string) {
    const made = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: notice('Signing in to {0}…', entry.name) },
      () => signIn(registry, { username, password, tokenName: tokenLabel(), scopes: ['publish', 'yank'] }),
    );
    await this.remember(
      { registry: entry.name, url: entry.url, username, tokenId: made.id, tokenName: made.name },
      made.token,
    );
    log().info(`Signed in to ${entry.name} as ${username} (token "${made.name}", ${made.scopes.join(', ')})`);
    void vscode.window.showInformationMessage(
      notice('Signed in to {0} as {1}. Publishing and approving there use this account.', entry.name, username),
    );
  }

  async signOut(): Promise<void> {
    const account = await this.pickAccount(vscode.l10n.t('Sign out of which registry?'));
    if (!account) return;
    const token = await this.context.secrets.get(SECRET(account.registry));
    if (token)
      await revokeApiToken(
        new HttpRegistry(account.registry, account.url, { attempts: 1 }),
        token,
        account.tokenId,
      ).catch((error: unknown) => log().warn(`The registry did not revoke the token: ${String(error)}`));
    await this.forget(account.registry);
    void vscode.window.showInformationMessage(notice('Signed out of {0}.', account.registry));
  }

  /** The signed-in account's tokens: pick one to revoke it, or make a new one. */
  async manageTokens(): Promise<void> {
    const account = await this.pickAccount(vscode.l10n.t('Tokens on which registry?'));
    if (!account) {
      if (registryAccounts(this.context.globalState).length === 0) await this.signIn();
      return;
    }
    const token = await this.context.secrets.get(SECRET(account.registry));
    if (!token) return this.forget(account.registry);
    const registry = new HttpRegistry(account.registry, account.url, { attempts: 1 });
    const tokens = await listApiTokens(registry, token);
    const picked = await vscode.window.showQuickPick(
      [
        { label: `$(add) ${vscode.l10n.t('Create a token…')}`, token: undefined as AccountToken | undefined },
        ...tokens.map((t) => ({
          label: t.name,
          description: `${t.scopes.join(', ')}${t.id === account.tokenId ? ` · ${vscode.l10n.t('this VS Code')}` : ''}`,
          detail: `${t.expires_at ? vscode.l10n.t('expires {0}', t.expires_at) : vscode.l10n.t('does not expire')} · ${t.last_used_at ? vscode.l10n.t('last used {0}', t.last_used_at) : vscode.l10n.t('never used')} · id ${t.id}`,
          token: t,
        })),
      ],
      { title: vscode.l10n.t('{0} on {1}: your tokens (pick one to revoke it)', account.username, account.registry) },
    );
    if (!picked) return;
    if (!picked.token) return this.createToken(account, registry);
    const revoke = vscode.l10n.t('Revoke');
    const sure = await vscode.window.showWarningMessage(
      notice('Revoke the token "{0}" on {1}? Whatever uses it stops working.', picked.token.name, account.registry),
      { modal: true },
      revoke,
    );
    if (sure !== revoke) return;
    await revokeApiToken(registry, token, picked.token.id);
    log().info(`Revoked token "${picked.token.name}" (${picked.token.id}) on ${account.registry}`);
    if (picked.token.id === account.tokenId) await this.forget(account.registry);
    void vscode.window.showInformationMessage(notice('Revoked the token "{0}".', picked.token.name));
  }

  private async createToken(account: RegistryAccount, registry: HttpRegistry): Promise<void> {
    assertCredentialTransport(account.registry, account.url, 'a password');
    const name = await ask(vscode.l10n.t('A name for the token (what it is for)'), {
      value: 'ci',
      validateInput: (v) => (/^[\x20-\x7e]{1,64}$/.test(v) ? undefined : vscode.l10n.t('1 to 64 printable characters')),
    });
    if (!name) return;
    const scopes = await vscode.window.showQuickPick(
      TOKEN_SCOPES.map((s) => ({ label: s, picked: s === 'publish' || s === 'yank' })),
      { canPickMany: true, title: vscode.l10n.t('Scopes of "{0}"', name) },
    );
    if (!scopes || scopes.length === 0) return;
    const days = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('30 days'), days: 30 },
        { label: vscode.l10n.t('90 days'), days: 90 },
        { label: vscode.l10n.t('1 year'), days: 365 },
        { label: vscode.l10n.t('Never expires'), days: 0 },
      ],
      { title: vscode.l10n.t('When does "{0}" expire?', name) },
    );
    if (!days) return;
    const password = await ask(
      vscode.l10n.t('Password for {0} on {1} ({2})', account.username, account.registry, account.url),
      {
        password: true,
      },
    );
    if (!password) return;
    const session = await logIn(registry, account.username, password);
    let made: AccountToken & { token: string };
    try {
      made = await createApiToken(registry, session.token, {
        name,
        scopes: scopes.map((s) => s.label),
        expiresAt: days.days ? new Date(Date.now() + days.days * 86_400_000) : undefined,
      });
    } finally {
      const me = await whoAmI(registry, session.token).catch(() => undefined);
      if (me) await revokeApiToken(registry, session.token, me.token.id).catch(() => undefined);
    }
    log().info(`Created token "${made.name}" (${made.id}) on ${account.registry}`);
    const copy = vscode.l10n.t('Copy');
    const answer = await vscode.window.showInformationMessage(
      notice('Token "{0}" ({1}). It is shown once: copy it now.', made.name, made.scopes.join(', ')),
      { modal: true, detail: made.token },
      copy,
    );
    if (answer === copy) await vscode.env.clipboard.writeText(made.token);
  }

  private async remember(account: RegistryAccount, token: string): Promise<void> {
    const others = registryAccounts(this.context.globalState).filter((a) => a.registry !== account.registry);
    // The state first: the status bar updates on the secret's change.
    await this.context.globalState.update(ACCOUNTS_KEY, [...others, account]);
    await this.context.secrets.store(SECRET(account.registry), token);
  }

  private async forget(registry: string): Promise<void> {
    await this.context.globalState.update(
      ACCOUNTS_KEY,
      registryAccounts(this.context.globalState).filter((a) => a.registry !== registry),
    );
    await this.context.secrets.delete(SECRET(registry));
  }

  private async pickAccount(title: string): Promise<RegistryAccount | undefined> {
    const accounts = registryAccounts(this.context.globalState);
    if (accounts.length <= 1) return accounts[0];
    return (
      await vscode.window.showQuickPick(
        accounts.map((a) => ({ label: a.registry, description: `${a.username} · ${a.url}`, account: a })),
        { title },
      )
    )?.account;
  }

  private async pickRegistry(title: string): Promise<RegistryEntry | undefined> {
    const entries = new Map<string, RegistryEntry>();
    for (const workspace of this.model.workspaces)
      for (const entry of workspace.config?.registries ?? []) if (entry.type === 'http') entries.set(entry.name, entry);
    if (entries.size === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('No HTTP registry is configured: add one under registries: (type: http) in ~/.aam/config.yaml.'),
      );
      return undefined;
    }
    if (entries.size === 1) return [...entries.values()][0];
    return (
      await vscode.window.showQuickPick(
        [...entries.values()].map((e) => ({ label: e.name, description: e.url, entry: e })),
        { title },
      )
    )?.entry;
  }
}

function ask(prompt: string, options: vscode.InputBoxOptions = {}): Promise<string | undefined> {
  return Promise.resolve(vscode.window.showInputBox({ prompt, ignoreFocusOut: true, ...options }));
}

function validUsername(value: string): string | undefined {
  return /^[a-z0-9][a-z0-9_-]{1,63}$/.test(value)
    ? undefined
    : vscode.l10n.t('Lowercase letters, digits, _ and -, 2 to 64 characters');
}

function tokenLabel(): string {
  return `VS Code on ${hostname()}`.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}
