import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { registerCommands } from './extension/commands.ts';
import { ConfigFeatures, CONFIG_SELECTOR } from './extension/config-features.ts';
import { ConfigCompletions, ConfigQuickFixes } from './extension/config-editing.ts';
import { PolicyEditorProvider } from './extension/policy-editor.ts';
import { showWhatIf, WhatIfLens } from './extension/what-if.ts';
import { LOCK_SELECTOR, LockFileFeatures } from './extension/lockfile-features.ts';
import { log } from './extension/log.ts';
import { TrustModel } from './extension/model.ts';
import { EffectivePolicyDocuments, POLICY_SCHEME } from './extension/policy-document.ts';
import { SigstoreSession } from './extension/sigstore-session.ts';
import { StatusBar } from './extension/status-bar.ts';
import { VerificationView } from './extension/verification-view.ts';
import { watchForChanges } from './extension/watchers.ts';

/** What the extension exposes to other extensions and to its in-editor test suites. */
export interface AamTrustApi {
  /** Reloads the policy and verifies every workspace; resolves when done. */
  refresh(): Promise<void>;
  /** The current verdicts, as `name -> status`. */
  statuses(): Record<string, string>;
}

/** Registers every surface; verification starts in the background so activation returns at once. */
export function activate(context: vscode.ExtensionContext): AamTrustApi {
  const model = new TrustModel(homedir());
  const session = new SigstoreSession(context.secrets);
  const view = new VerificationView(model);
  const tree = vscode.window.createTreeView('aam.verification', { treeDataProvider: view, showCollapseAll: true });
  const lockFiles = new LockFileFeatures(model);
  const configs = new ConfigFeatures(model);
  context.subscriptions.push(
    log(),
    model,
    session,
    view,
    tree,
    new StatusBar(model),
    lockFiles,
    vscode.languages.registerHoverProvider(LOCK_SELECTOR, lockFiles),
    vscode.languages.registerCodeActionsProvider(LOCK_SELECTOR, lockFiles, LockFileFeatures.metadata),
    configs,
    vscode.languages.registerHoverProvider(CONFIG_SELECTOR, configs),
    vscode.languages.registerCompletionItemProvider(CONFIG_SELECTOR, new ConfigCompletions(), ':', ' '),
    vscode.languages.registerCodeActionsProvider(CONFIG_SELECTOR, new ConfigQuickFixes(configs, model), ConfigQuickFixes.metadata),
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, registered(context, new WhatIfLens(model))),
    vscode.window.registerCustomEditorProvider(PolicyEditorProvider.viewType, new PolicyEditorProvider(context.extensionUri, model), { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.commands.registerCommand('aam.showWhatIf', () => showWhatIf(model)),
    vscode.workspace.registerTextDocumentContentProvider(POLICY_SCHEME, new EffectivePolicyDocuments(model)),
    ...registerCommands(model, session),
    ...watchForChanges(model, join(homedir(), '.aam')),
    model.onDidChange(() => updateContext(model, tree)),
  );
  log().info(`AAM Trust activated (VS Code ${vscode.version}, Node ${process.version})${model.restricted ? ' in Restricted Mode' : ''}`);
  void model.refresh();
  return {
    refresh: () => model.refresh(),
    statuses: () => Object.fromEntries(model.allReports().map(({ report }) => [report.name, report.verdict.status])),
  };
}

function registered<T extends vscode.Disposable>(context: vscode.ExtensionContext, disposable: T): T {
  context.subscriptions.push(disposable);
  return disposable;
}

function updateContext(model: TrustModel, tree: vscode.TreeView<unknown>): void {
  const workspaces = model.workspaces;
  void vscode.commands.executeCommand('setContext', 'aam.hasWorkspace', workspaces.length > 0);
  void vscode.commands.executeCommand('setContext', 'aam.hasPolicy', workspaces.some((w) => w.config?.files.some((f) => f.exists)));
  void vscode.commands.executeCommand('setContext', 'aam.restricted', model.restricted);
  const ignored = workspaces.flatMap((w) => w.config?.findings ?? []).length;
  tree.message = model.restricted
    ? vscode.l10n.t('Restricted Mode: project settings apply only where they tighten your global policy{0}.', ignored > 0 ? vscode.l10n.t(' ({0} ignored)', ignored) : '')
    : undefined;
  const failed = model.allReports().filter((r) => r.report.verdict.action === 'fail').length;
  tree.badge = failed > 0 ? { value: failed, tooltip: vscode.l10n.t('{0} packages failed verification', failed) } : undefined;
}

export function deactivate(): void {}
