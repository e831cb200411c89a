import * as vscode from 'vscode';
import { commandHandlers } from './commands.ts';
import { ConfigCompletions, ConfigQuickFixes } from './config-editing.ts';
import { ConfigFeatures } from './config-features.ts';
import { DeployedFiles } from './deployed-files.ts';
import { TrustChanges } from './trust-changes.ts';
import { LockFileFeatures } from './lockfile-features.ts';
import type { TrustModel } from './model.ts';
import { EffectivePolicyDocuments } from './policy-document.ts';
import { PolicyEditorProvider } from './policy-editor.ts';
import { SigstoreSession } from './sigstore-session.ts';
import { WhatIfLens } from './what-if.ts';

// What the start-up bundle's model calls: loading config and verifying.
export { blockingDiagnostics, loadConfig } from '../core/config/load.ts';
export { formatDiagnostic } from '../core/config/diagnostics.ts';
export { EvidenceCache } from '../core/verify/evidence-cache.ts';
export { createSignatureVerifier } from '../core/verify/signature-verifier.ts';
export { verifyWorkspace } from '../core/verify/verify-installed.ts';

/**
 * Everything beyond the Verification view: the config and lock-file editor
 * features, the form editor, commands, Sigstore sign-in. This module is its
 * own bundle (dist/features.js), with YAML, JSON Schema, Sigstore and
 * OpenPGP, loaded after activation; activation registers thin forwarders.
 */
export function startFeatures(context: vscode.ExtensionContext, model: TrustModel) {
  const session = new SigstoreSession(context.secrets);
  const configs = new ConfigFeatures(model);
  const trustChanges = new TrustChanges(model);
  const features = {
    commands: commandHandlers(model, session, trustChanges),
    lockFiles: new LockFileFeatures(model),
    configs,
    completions: new ConfigCompletions(),
    quickFixes: new ConfigQuickFixes(configs, model),
    whatIf: new WhatIfLens(model),
    policyEditor: new PolicyEditorProvider(context.extensionUri, model),
    policyDocuments: new EffectivePolicyDocuments(model),
    deployedFiles: new DeployedFiles(model),
  };
  context.subscriptions.push(session, features.lockFiles, configs, features.whatIf, features.policyDocuments, features.deployedFiles, trustChanges, vscode.window.createTreeView('aam.trustChanges', { treeDataProvider: trustChanges, showCollapseAll: true }));
  return features;
}
