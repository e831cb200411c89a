import * as vscode from 'vscode';
import { toYamlText } from '../core/yaml/io.ts';
import type { AamWorkspace, TrustModel } from './model.ts';

import { POLICY_SCHEME } from './selectors.ts';

/**
 * A read-only YAML view of the merged policy of a workspace: every value with
 * the file it came from, and a warning on each project value that weakens the
 * global policy (or was ignored, in Restricted Mode).
 */
export class EffectivePolicyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly model: TrustModel;

  constructor(model: TrustModel) {
    this.model = model;
    this.subscription = model.onDidChange(() => {
      for (const document of vscode.workspace.textDocuments)
        if (document.uri.scheme === POLICY_SCHEME) this.changed.fire(document.uri);
    });
  }

  static uriFor(workspace: AamWorkspace): vscode.Uri {
    return vscode.Uri.from({
      scheme: POLICY_SCHEME,
      path: `/${workspace.label.replace(/[^\w.-]+/g, '-')}.effective-policy.yaml`,
      query: workspace.id,
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const workspace = this.model.workspaces.find((w) => w.id === uri.query);
    if (!workspace?.config) return `# ${vscode.l10n.t('No policy loaded for this workspace.')}\n`;
    return renderPolicy(workspace);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function renderPolicy(workspace: AamWorkspace): string {
  const config = workspace.config!;
  const lines = [
    `# ${vscode.l10n.t('Effective AAM trust policy for {0}', workspace.paths.root)}`,
    `# ${vscode.l10n.t('Files, lowest first:')} ${config.files.map((f) => `${f.path}${f.exists ? '' : ' (missing)'}`).join(', ')}`,
  ];
  if (config.restricted)
    lines.push(
      `# ${vscode.l10n.t('Restricted Mode: project settings apply only where they tighten the global policy.')}`,
    );
  if (workspace.policyError)
    lines.push(
      `# ${vscode.l10n.t('ERRORS — verification is paused until they are fixed:')}`,
      ...workspace.policyError.split('\n').map((l) => `#   ${l}`),
    );
  lines.push('security:');
  for (const [key, value] of Object.entries(config.security)) {
    const origin = config.merged.originOf(['security', key]);
    const rendered = toYamlText({ [key]: value })
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`);
    rendered[0] = `${rendered[0]}  # ${origin.file ?? vscode.l10n.t('default')}`;
    lines.push(...rendered);
    for (const finding of config.findings.filter((f) => f.path[1] === key)) {
      lines.push(
        `  # ⚠ ${config.restricted ? vscode.l10n.t('ignored: the project config') : vscode.l10n.t('weakens the global policy: the project config')} ${finding.message}`,
      );
    }
  }
  if (config.registries.length > 0) {
    lines.push(`registries:  # ${config.merged.originOf(['registries']).file ?? ''}`);
    lines.push(
      ...toYamlText(config.registries)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
