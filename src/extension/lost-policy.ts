import * as vscode from 'vscode';
import { applyConfigEdits } from '../core/config/edit.ts';
import { assertConfigFileWritable } from '../core/config/project-write.ts';
import { visible } from '../core/messages/shown-text.ts';
import type { ConfigEdit } from '../core/config/edit.ts';
import { LISTS } from '../core/verify/store/policy-memory.ts';
import type { LostSetting } from '../core/verify/store/policy-memory.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { editAndSave } from './text-edit.ts';
import { notice } from './notification-text.ts';

/**
 * What the policy lost since an earlier verification (the `aam` CLI rewrites
 * ~/.aam/config.yaml and drops the keys it does not know): add it back to the
 * file it was in, or let it go. Nothing is added without this choice.
 */
export async function reviewLostPolicy(model: TrustModel, arg: { workspaceId: string } | undefined): Promise<void> {
  const workspace =
    model.workspaces.find((w) => w.id === arg?.workspaceId) ?? model.workspaces.find((w) => (w.lost ?? []).length > 0);
  const lost = workspace?.lost ?? [];
  if (!workspace || lost.length === 0) return;
  const restore = vscode.l10n.t('Add Them Back');
  const dismiss = vscode.l10n.t('Let Them Go');
  const detail = lost
    .map((l) =>
      visible(
        `${l.now === undefined ? `${l.key}: "${l.was}"` : `${l.key}: ${l.was} (now ${l.now})`} — ${l.file ?? 'defaults'}`,
      ),
    )
    .join('\n');
  const answer = await vscode.window.showWarningMessage(
    notice('Since an earlier verification, the policy lost {0} trust setting(s).', lost.length),
    { modal: true, detail },
    restore,
    dismiss,
  );
  if (answer === dismiss) return model.acknowledgeLost(workspace);
  if (answer !== restore) return;
  const byFile = groupByFile(lost);
  // A project's file is written only where its .aam is its own: linked to ~/.aam, "add back" would trust globally.
  for (const file of byFile.keys()) await assertConfigFileWritable(file, model.globalConfigFile);
  for (const [file, settings] of byFile) {
    await editAndSave(vscode.Uri.file(file), (text) => applyConfigEdits(text, settings.map(editFor)));
    log().info(`Added back to ${file}: ${settings.map((s) => `${s.key} ${s.was}`).join(', ')}`);
  }
  await model.acknowledgeLost(workspace);
  await model.refresh();
}

function groupByFile(lost: readonly LostSetting[]): Map<string, LostSetting[]> {
  const out = new Map<string, LostSetting[]>();
  for (const l of lost) if (l.file && l.file !== 'default') out.set(l.file, [...(out.get(l.file) ?? []), l]);
  return out;
}

/** The edit that puts a lost setting back: a list entry re-added, a setting set to what it was. */
function editFor(l: LostSetting): ConfigEdit {
  if ((LISTS as readonly string[]).includes(l.key) && l.now === undefined) {
    const pinned = /^(.*) \(issuer (.*)\)$/.exec(l.was);
    return {
      op: 'add-to-list',
      path: ['security', l.key],
      value: pinned ? { identity: pinned[1]!, issuer: pinned[2]! } : l.was,
    };
  }
  if (l.value !== undefined) return { op: 'set', path: ['security', l.key], value: l.value };
  if (l.now !== undefined)
    return { op: 'set', path: ['security', l.key], value: l.was === 'true' ? true : l.was === 'false' ? false : l.was };
  return { op: 'set', path: ['security', l.key], value: l.was };
}
