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
import { PolicyEditorProvider } from './policy-editor.ts';
import { SigstoreSession } from './sigstore-session.ts';
import { WhatIfLens } from './what-if.ts';

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
  const complianceReport = new ComplianceReportPanel(model, context.extensionUri);
  const features = {
    commands: commandHandlers(model, session, trustChanges, auditLog, complianceReport),
    lockFiles: new LockFileFeatures(model),
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
  );
  return features;
}
