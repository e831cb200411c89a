import * as vscode from 'vscode';

/** Who is signed in to which HTTP registry: kept in globalState (no secret in it); the tokens are in SecretStorage. */
export interface RegistryAccount {
  registry: string;
  url: string;
  username: string;
  tokenId: string;
  tokenName: string;
}

export const ACCOUNTS_KEY = 'aam.registryAccounts';

export function registryAccounts(state: vscode.Memento): RegistryAccount[] {
  const value = state.get<unknown>(ACCOUNTS_KEY);
  return Array.isArray(value) ? (value as RegistryAccount[]) : [];
}

/**
 * "$(account) alice @ team" in the status bar while signed in to HTTP
 * registries (the tooltip lists each, with its URL); a click manages the
 * tokens. Part of the start-up bundle: it reads globalState only, and
 * follows SecretStorage's changes, which every sign-in and sign-out makes.
 */
export class RegistryStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  private readonly state: vscode.Memento;

  constructor(context: vscode.ExtensionContext) {
    this.state = context.globalState;
    this.item = vscode.window.createStatusBarItem('aam.registryAccount', vscode.StatusBarAlignment.Left, 49);
    this.item.name = vscode.l10n.t('AAM Registry Account');
    this.item.command = 'aam.registryTokens';
    this.subscription = context.secrets.onDidChange(() => this.update());
    this.update();
  }

  update(): void {
    const accounts = registryAccounts(this.state);
    if (accounts.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text =
      accounts.length === 1
        ? `$(account) ${accounts[0]!.username} @ ${accounts[0]!.registry}`
        : `$(account) ${vscode.l10n.t('{0} registries', accounts.length)}`;
    this.item.tooltip = [
      vscode.l10n.t('Signed in to HTTP registries:'),
      ...accounts.map((a) =>
        vscode.l10n.t('{0} on {1} ({2}), token "{3}"', a.username, a.registry, a.url, a.tokenName),
      ),
      vscode.l10n.t('Click to manage tokens.'),
    ].join('\n');
    this.item.accessibilityInformation = {
      label: accounts.map((a) => vscode.l10n.t('Signed in as {0} on {1}', a.username, a.registry)).join('; '),
    };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
