import * as vscode from 'vscode';
import { aamHome } from '../core/aam-home.ts';
import { showError } from './errors.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { visible } from '../core/messages/shown-text.ts';
import { notice } from './notification-text.ts';

/**
 * AAM: Fetch OpenPGP Key… — the "Fetch key …" of a signature by a key that
 * is not in the keyring: looks it up (Web Key Directory, then the configured
 * keyserver), shows what was found and where, and adds it to the AAM keyring
 * on request. A key that does not answer what was asked is refused; a key
 * fetched is never trusted.
 */
export async function fetchKey(model: TrustModel, arg: { key?: string; lockFile?: string } | undefined): Promise<void> {
  try {
    const query =
      arg?.key ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Fetch an OpenPGP key'),
        prompt: vscode.l10n.t('An email address, or a full 40-hex-digit fingerprint'),
        ignoreFocusOut: true,
      }));
    if (!query) return;
    const { discoverKey, discoveryOptions, parseKeyQuery } = await import('../core/openpgp/discovery.ts');
    // The keyserver of the project whose signature asked (a multi-root window holds several), else the global one.
    const asking =
      arg?.lockFile === undefined ? undefined : model.workspaces.find((w) => w.paths.lockFile === arg.lockFile);
    const config = (
      asking ??
      model.workspaces.find((w) => w.kind === 'global') ??
      model.workspaces.find((w) => w.config)
    )?.config;
    const keyserver = config?.security.keyserver;
    const parsed = parseKeyQuery(query);
    const { found } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: notice('Looking up {0}…', query) },
      () => discoverKey(parsed, discoveryOptions(keyserver, process.env)),
    );
    const add = vscode.l10n.t('Add to the AAM Keyring');
    const answer = await vscode.window.showInformationMessage(
      notice('Found {0}', found.fingerprint),
      {
        modal: true,
        detail: [
          // Where it came from first; then the answer's user IDs, each on its one line, so none draws a line of its own.
          vscode.l10n.t('From: {0}', visible(found.source)),
          ...found.userIds.map((uid) => vscode.l10n.t('User ID (as the key claims it): {0}', visible(uid))),
          // Other keys the same answer held for the query: the one taken first may be anyone's.
          ...(found.others.length > 0
            ? [
                '',
                vscode.l10n.t('The same answer held {0} other key(s) for it, not added:', found.others.length),
                ...found.others.map((o) => `${o.fingerprint} ${visible(o.userIds[0] ?? '')}`.trim()),
                vscode.l10n.t('If one of them is the key its owner gave you, look that one up by its fingerprint.'),
              ]
            : []),
          '',
          vscode.l10n.t('Check the fingerprint with its owner. Adding the key does not trust it: trusted_keys does.'),
        ].join('\n'),
      },
      add,
    );
    if (answer !== add) return;
    const { importPublicKey } = await import('../core/openpgp/keyring.ts');
    const { describeKeyChange } = await import('../core/openpgp/key-change.ts');
    const [imported] = await importPublicKey(found.armored, aamHome(model.homeDir).keysDir);
    // A key already in the keyring is merged, never replaced: say what changed, and plainly when a revocation was kept.
    const { summary, warning } = describeKeyChange(imported!.change);
    log().info(`${found.fingerprint} from ${found.source}: ${summary}`);
    if (warning) {
      log().warn(`${found.fingerprint}: ${warning}`);
      void vscode.window.showWarningMessage(notice('{0}: {1}', found.fingerprint, warning));
    } else if (imported!.change.status !== 'new')
      void vscode.window.showInformationMessage(notice('{0}: {1}.', found.fingerprint, summary));
    await model.refresh();
  } catch (error) {
    await showError(error);
  }
}
