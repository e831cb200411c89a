import * as vscode from 'vscode';
import { applyConfigEdits } from '../core/config/edit.ts';
import { describeMatch, levelEdits, levelNamed, matchLevel, TRUST_LEVELS } from '../core/config/levels.ts';
import type { LevelName } from '../core/config/levels.ts';
import type { LoadedConfig } from '../core/config/load.ts';
import { planLevel } from '../core/verify/verdict/level-plan.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { LevelPreview, PolicyState } from '../webview/protocol.ts';
import type { TrustModel } from './model.ts';
import { minimalEdit } from './text-edit.ts';

/** The form's "Trust level" section: the level the document means now, and the four to choose from. */
export function levelState(config: LoadedConfig): PolicyState['level'] {
  const match = matchLevel(config.merged);
  return {
    current: match.kind === 'level' ? match.level.name : 'custom',
    text: describeMatch(match),
    unmet: match.kind === 'level' ? match.unmet : [],
    levels: TRUST_LEVELS.map((l) => ({
      name: l.name,
      label: l.label,
      summary: l.summary,
      useCase: l.useCase,
      keys: Object.entries(l.keys).map(([key, value]) => `${key}: ${String(value)}`),
    })),
  };
}

/**
 * What choosing a level would write in this document, and what it would do
 * to the installed packages of every workspace the file governs — shown
 * before anything is applied.
 */
export function levelPreview(model: TrustModel, document: vscode.TextDocument, name: LevelName): LevelPreview {
  const level = levelNamed(name);
  const path = document.uri.fsPath;
  const governed = model.workspaces.filter((w) => w.config?.files.some((f) => f.path === path));
  const plans = governed.map((w) => ({
    label: w.label,
    plan: planLevel(level, w.config!, { path, text: document.getText() }, w.reports, model.homeDir),
  }));
  const first = plans[0]?.plan;
  return {
    level: name,
    label: level.label,
    keys: Object.entries(level.keys).map(([key, to]) => {
      const known = first?.keys.find((k) => k.key === key);
      return { key, to: String(to), now: known ? String(known.effective) : undefined, changes: known?.changes ?? true };
    }),
    summary:
      plans.length === 0
        ? vscode.l10n.t('No installed packages to preview')
        : plans
            .map((p) => (plans.length > 1 ? `${p.label}: ${p.plan.whatIf.summary}` : p.plan.whatIf.summary))
            .join(' · '),
    changes: plans.flatMap(({ plan }) =>
      plan.whatIf.changes.map((c) => ({
        name: `${c.name}@${c.version}`,
        before: `${STATUS_LABEL[c.before.status]} (${c.beforeOutcome})`,
        after: `${STATUS_LABEL[c.after.status]} (${c.afterOutcome})`,
        action: c.afterOutcome,
        message: c.after.message,
      })),
    ),
    warnings: [
      ...new Set(
        plans.flatMap(({ label, plan }) => [
          ...plan.unmet,
          ...(plan.after.kind === 'level' && plan.after.level === plan.level
            ? []
            : [
                vscode.l10n.t(
                  'In {0} it would be {1}: the other config file overrides it.',
                  label,
                  describeMatch(plan.after),
                ),
              ]),
        ]),
      ),
    ],
  };
}

/** Sets a level's keys in the document (an edit VS Code can undo; saving is the user's). */
export async function applyLevel(document: vscode.TextDocument, name: LevelName): Promise<void> {
  const next = applyConfigEdits(document.getText(), levelEdits(levelNamed(name)));
  if (next !== document.getText()) await vscode.workspace.applyEdit(minimalEdit(document, next));
}
