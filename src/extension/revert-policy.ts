import * as vscode from 'vscode';
import { applyConfigEdits } from '../core/config/edit.ts';
import { projectConfigPath } from '../core/config/paths.ts';
import { assertProjectConfigWritable } from '../core/config/project-write.ts';
import { describePolicyChange } from '../core/workflows/diff/policy-changes.ts';
import { policyRevert } from '../core/workflows/diff/policy-revert.ts';
import type { PolicyRevert } from '../core/workflows/diff/policy-revert.ts';
import { gitState } from '../core/workflows/diff/state.ts';
import type { TrustDiff } from '../core/workflows/diff/trust-diff.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { notice } from './notification-text.ts';
import { editAndSave } from './text-edit.ts';
import type { TrustChangeNode } from './trust-change-items.ts';

/** What a revert needs of the Trust Changes view: the revision compared with, and the diff shown. */
export interface ComparedWith {
  readonly baseRevision: string;
  diffOf(workspaceId: string): TrustDiff | undefined;
}

/**
 * Undoes a policy change of the Trust Changes view: the setting gets the
 * whole value the base revision's project file gives it (policy-revert.ts),
 * read from git now, after the user has seen in the confirmation what is
 * written and which other changes of the same setting go with it.
 */
export async function revertPolicyChange(
  view: ComparedWith,
  model: Pick<TrustModel, 'refresh' | 'globalConfigFile'>,
  node: Extract<TrustChangeNode, { kind: 'policy' }>,
): Promise<void> {
  const { workspace, change } = node;
  const base = await gitState(workspace.paths.root, view.baseRevision);
  const plan = policyRevert(base, change, view.diffOf(workspace.id)?.policy);
  const file = projectConfigPath(workspace.paths.root);
  const go = vscode.l10n.t('Revert to {0}', base.label);
  const answer = await vscode.window.showWarningMessage(
    notice('Set {0} back to what {1} says?', change.key, base.label),
    { modal: true, detail: confirmationOf(plan, file) },
    go,
  );
  if (answer !== go) return;
  await assertProjectConfigWritable(workspace.paths.root, model.globalConfigFile);
  await editAndSave(vscode.Uri.file(file), (current) => applyConfigEdits(current, plan.edits));
  log().info(
    `Trust Changes: reverted ${describePolicyChange(change)} to ${base.label}: ${plan.preview ? `wrote security.${change.key} as there` : `removed security.${change.key}, which it does not set`}`,
  );
  await model.refresh();
}

/** Everything the revert writes, before it does: the file, the YAML or the key removed, what else it undoes. */
function confirmationOf(plan: PolicyRevert, file: string): string {
  const what =
    plan.preview === undefined
      ? vscode.l10n.t(
          'Removes {0} from this file: the project config at {1} does not set it, so the global config (or the default) applies again, as it does there.',
          `security.${plan.key}`,
          plan.base,
        )
      : vscode.l10n.t('Writes the whole setting as the project config at {0} has it:\n\n{1}', plan.base, plan.preview);
  const also =
    plan.alsoReverts.length > 0
      ? vscode.l10n.t(
          'This also undoes:\n{0}',
          plan.alsoReverts.map((c) => `  - ${describePolicyChange(c)}`).join('\n'),
        )
      : '';
  return [file, what, also].filter(Boolean).join('\n\n');
}
