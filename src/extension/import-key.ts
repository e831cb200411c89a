import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { aamHome } from '../core/aam-home.ts';
import { applyConfigEdits } from '../core/config/edit.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { editAndSave } from './text-edit.ts';
import { notice } from './notification-text.ts';
import { labelText } from './markdown-text.ts';

/**
 * AAM: Import OpenPGP Public Key…: each file's keys merged into the AAM
 * keyring (a stored key only gains what its own key signed), what changed
 * logged, a revocation the file lacked said to be kept, and the keys
 * offered for trust, which importing does not give.
 */
export async function importKey(model: TrustModel): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: vscode.l10n.t('Import'),
    filters: { [vscode.l10n.t('OpenPGP public keys')]: ['asc', 'gpg', 'pub', 'key', 'txt'] },
  });
  if (!picked) return;
  const { importPublicKey } = await import('../core/openpgp/keyring.ts');
  const imported: Awaited<ReturnType<typeof importPublicKey>> = [];
  for (const uri of picked)
    imported.push(...(await importPublicKey(await readFile(uri.fsPath, 'utf8'), aamHome(model.homeDir).keysDir)));
  const { describeKeyChange } = await import('../core/openpgp/key-change.ts');
  for (const key of imported) {
    const { summary, warning } = describeKeyChange(key.change);
    log().info(`${summary}: OpenPGP key ${key.fingerprint} ${key.userIds.join(', ')}`);
    // A copy without a revocation the keyring has (a stale file): kept, and said so.
    if (warning) void vscode.window.showWarningMessage(notice('{0}: {1}', key.fingerprint, vscode.l10n.t(warning)));
  }
  if (imported.length === 0) return model.refresh();
  // A key file can hold several keys, one named like another: each is trusted only when picked, by its fingerprint.
  const choose = vscode.l10n.t('Choose Keys to Trust…');
  const choice = await vscode.window.showInformationMessage(
    notice(
      'Imported {0} OpenPGP key(s). Importing does not trust a key; check its fingerprint with its owner first.',
      imported.length,
    ),
    choose,
  );
  if (choice === choose) {
    const picked = await vscode.window.showQuickPick(
      imported.map((k) => ({
        label: k.fingerprint,
        description: vscode.l10n.t('{0} user ID(s), as the key claims them', k.userIds.length),
        detail: k.userIds.map(labelText).join(' · '),
        picked: false,
        fingerprint: k.fingerprint,
      })),
      {
        canPickMany: true,
        title: vscode.l10n.t('Trust which of the {0} imported key(s) in your global config?', imported.length),
        placeHolder: vscode.l10n.t('Only the keys you check are trusted; compare each fingerprint with its owner.'),
      },
    );
    if (picked && picked.length > 0)
      await editAndSave(vscode.Uri.file(model.globalConfigFile), (text) =>
        applyConfigEdits(
          text,
          picked.map((k) => ({ op: 'add-to-list' as const, path: ['security', 'trusted_keys'], value: k.fingerprint })),
        ),
      );
  }
  await model.refresh();
}
