import * as vscode from 'vscode';
import { formatDiagnostic } from '../core/config/diagnostics.ts';
import { blockingDiagnostics, loadConfig } from '../core/config/load.ts';
import { verificationServices } from '../core/verify/services.ts';
import { verifyWorkspace } from '../core/verify/workspace.ts';
import { commandHandlers } from './commands.ts';
import { ConfigCompletions, ConfigQuickFixes } from './config-editing.ts';
import { ConfigFeatures } from './config-features.ts';
import { DeployedFiles } from './deployed-files.ts';
import type { Engine } from './engine.ts';
import { TrustChanges } from './trust-changes.ts';
import { AuditLogView } from './audit-log-view.ts';
import { ComplianceReportPanel } from './compliance-report.ts';
import { LockFileFeatures } from './lockfile-features.ts';
import { useLogChannel } from './log.ts';
import type { TrustModel } from './model.ts';
import { EffectivePolicyDocuments } from './policy-document.ts';
import { EvalResults } from './eval-results.ts';
import { RegistryAccounts } from './registry-accounts.ts';
import { PolicyEditorProvider } from './policy-editor.ts';
import { SigstoreSession } from './sigstore-session.ts';
import { WhatIfLens } from './what-if.ts';
import { HiddenContent } from './hidden-content.ts';
import { AgentFilesView } from './agent-files-view.ts';
import { ReviewView } from './review-view.ts';
import { findUpdates, reviewDocument } from './review-update.ts';

/** The verification engine, as the start-up bundle's model is handed it (see engine.ts). */
export const engine: Engine = {
  loadConfig,
  blockingDiagnostics,
  formatDiagnostic,
  verificationServices,
  verifyWorkspace,
};

/**
 * Everything beyond the Verification view: the config and lock-file editor
 * features, the form editor, commands, Sigstore sign-in. This module is its
 * own bundle (dist/features.js), with YAML, JSON Schema, Sigstore and
 * OpenPGP, loaded after activation; activation registers thin forwarders.
 * The start-up bundle's log channel is handed in, so both bundles log to one.
 */
export function startFeatures(context: vscode.ExtensionContext, model: TrustModel, channel: vscode.LogOutputChannel) {
  useLogChannel(channel);
  const session = new SigstoreSession(context.secrets);
  const configs = new ConfigFeatures(model);
  const trustChanges = new TrustChanges(model);
  const auditLog = new AuditLogView(model);
  const reviews = new ReviewView();
  const agentFilesView = new AgentFilesView(model);
  const accounts = new RegistryAccounts(context, model);
  const evals = new EvalResults();
  const complianceReport = new ComplianceReportPanel(model, context.extensionUri);
  const features = {
    commands: commandHandlers(model, session, trustChanges, auditLog, reviews, accounts, complianceReport),
    hiddenContent: new HiddenContent(model),
    reviewDocuments: { provideTextDocumentContent: (uri: vscode.Uri) => reviewDocument(reviews.reviews, uri) },
    lockFiles: new LockFileFeatures(model, evals),
    evals,
    configs,
    completions: new ConfigCompletions(),
    quickFixes: new ConfigQuickFixes(configs, model),
    whatIf: new WhatIfLens(model),
    policyEditor: new PolicyEditorProvider(context.extensionUri, model),
    policyDocuments: new EffectivePolicyDocuments(model),
    deployedFiles: new DeployedFiles(model),
  };
  context.subscriptions.push(
    session,
    features.lockFiles,
    configs,
    features.whatIf,
    features.policyDocuments,
    features.deployedFiles,
    trustChanges,
    vscode.window.createTreeView('aam.trustChanges', { treeDataProvider: trustChanges, showCollapseAll: true }),
    auditLog,
    complianceReport,
    vscode.window.createTreeView('aam.auditLog', { treeDataProvider: auditLog, showCollapseAll: true }),
    features.hiddenContent,
    reviews,
    agentFilesView,
    vscode.window.createTreeView('aam.agentFiles', { treeDataProvider: agentFilesView, showCollapseAll: true }),
    vscode.window.createTreeView('aam.review', { treeDataProvider: reviews }),
    watchUpdates(model),
  );
  return features;
}

/** Looks for newer versions after each verification (one registry listing each), for the view's "update available" rows. */
function watchUpdates(model: TrustModel): vscode.Disposable {
  let looking = false;
  const look = () => {
    if (looking || model.workspaces.some((w) => w.verifying)) return;
    looking = true;
    void findUpdates(model)
      .then((updates) => model.setUpdates(updates))
      .catch(() => undefined)
      .finally(() => (looking = false));
  };
  look();
  return model.onDidChange(look);
}
