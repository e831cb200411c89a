import * as vscode from 'vscode';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { mergeConfigFiles } from '../core/config/load.ts';
import type { ConfigFileState } from '../core/config/load.ts';
import { validateConfigText } from '../core/config/validate.ts';
import { whatIf } from '../core/verify/verdict/what-if.ts';
import type { VerdictChange } from '../core/verify/verdict/what-if.ts';
import type { TrustModel } from './model.ts';
import { CONFIG_SELECTOR } from './selectors.ts';
import { inert } from './notification-text.ts';

/** What saving the open config documents would change, across the workspaces they govern. */
export interface Preview {
  summary: string;
  changes: (VerdictChange & { workspace: string })[];
  dirty: boolean;
}

export function previewUnsaved(model: TrustModel): Preview {
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && vscode.languages.match(CONFIG_SELECTOR, d));
  if (dirty.length === 0) return { summary: vscode.l10n.t('No unsaved policy changes'), changes: [], dirty: false };
  const texts = new Map(dirty.map((d) => [d.uri.fsPath, d.getText()]));
  const changes: Preview['changes'] = [];
  const summaries: string[] = [];
  for (const workspace of model.workspaces) {
    if (!workspace.config || !workspace.config.files.some((f) => texts.has(f.path))) continue;
    const files: ConfigFileState[] = workspace.config.files.map((file) => {
      const text = texts.get(file.path);
      if (text === undefined) return file;
      const validation = validateConfigText(text);
      return { ...file, exists: true, diagnostics: validation.diagnostics, value: validation.value };
    });
    if (files.some((f) => f.exists && f.value === undefined)) {
      summaries.push(vscode.l10n.t('{0}: the unsaved policy has YAML errors', workspace.label));
      continue;
    }
    const next = mergeConfigFiles(files, workspace.config.restricted, undefined, workspace.config.untrustedWorkspace);
    const result = whatIf(workspace.reports, workspace.config.security, {
      ...next.policyContext(),
      policy: next.security,
    });
    changes.push(...result.changes.map((c) => ({ ...c, workspace: workspace.label })));
    summaries.push(model.workspaces.length > 1 ? `${workspace.label}: ${result.summary}` : result.summary);
  }
  return {
    summary: summaries.join(' · ') || vscode.l10n.t('No installed package would change verdict'),
    changes,
    dirty: true,
  };
}

/** A CodeLens at the top of a dirty config file: "If you save now: 2 packages would fail: …". */
export class WhatIfLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[];
  private readonly model: TrustModel;
  private timer: NodeJS.Timeout | undefined;

  constructor(model: TrustModel) {
    this.model = model;
    const later = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.changed.fire(), 200);
    };
    this.disposables = [
      this.changed,
      vscode.workspace.onDidChangeTextDocument(later),
      vscode.workspace.onDidSaveTextDocument(later),
      model.onDidChange(later),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!document.isDirty) return [];
    const preview = previewUnsaved(this.model);
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: `$(beaker) ${vscode.l10n.t('If you save now: {0}', preview.summary)}`,
        command: 'aam.showWhatIf',
        tooltip: vscode.l10n.t('Which installed packages would change verdict'),
      }),
    ];
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

export async function showWhatIf(model: TrustModel): Promise<void> {
  const preview = previewUnsaved(model);
  if (preview.changes.length === 0) {
    void vscode.window.showInformationMessage(inert(preview.summary));
    return;
  }
  await vscode.window.showQuickPick(
    preview.changes.map((c) => ({
      label: `${c.name}@${c.version}`,
      description: `${STATUS_LABEL[c.before.status]} (${c.beforeOutcome}) → ${STATUS_LABEL[c.after.status]} (${c.afterOutcome})${c.acceptsSignerChange ? ' · accepts a changed signer' : ''}`,
      detail: c.after.message,
    })),
    { title: vscode.l10n.t('If you save now: {0}', preview.summary) },
  );
}
