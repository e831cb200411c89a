import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VerificationStore } from './core/verify/store/result-store.ts';
import { tally } from './core/verify/verdict/vocabulary.ts';
import { COMMAND_IDS } from './extension/command-ids.ts';
import { showError } from './extension/errors.ts';
import { loadFeatures } from './extension/lazy.ts';
import type { Features } from './extension/lazy.ts';
import { log } from './extension/log.ts';
import { TrustModel } from './extension/model.ts';
import {
  CONFIG_SELECTOR,
  LOCK_SELECTOR,
  POLICY_EDITOR_VIEW_TYPE,
  POLICY_SCHEME,
  REVIEW_SCHEME,
} from './extension/selectors.ts';
import { StatusBar } from './extension/status-bar.ts';
import { RegistryStatus } from './extension/registry-status.ts';
import { VerificationView } from './extension/verification-view.ts';
import { watchForChanges } from './extension/watchers.ts';

/** What the extension exposes to other extensions and to its in-editor test suites. */
export interface AamTrustApi {
  /** Reloads the policy and verifies every workspace; resolves when done (or, with a token, when cancelled). */
  refresh(options?: { token?: vscode.CancellationToken }): Promise<void>;
  /** The current verdicts, as `name -> status`. */
  statuses(): Record<string, string>;
  /** The Verification view's data: its rows as the view shows them, for what cannot read the view itself. */
  verificationView: vscode.TreeDataProvider<unknown>;
}

/**
 * Activation registers every surface and returns at once. Only the
 * Verification view, the status bar and the model live in this bundle; it
 * shows the last session's verdicts from the extension's storage straight
 * away. Editor features, commands and the verification engine (YAML, JSON
 * Schema, Sigstore, OpenPGP) are a second bundle loaded right after,
 * behind thin forwarders registered here.
 */
export function activate(context: vscode.ExtensionContext): AamTrustApi {
  const started = performance.now();
  const version = (context.extension.packageJSON as { version?: string }).version ?? '';
  const model = new TrustModel(
    homedir(),
    new VerificationStore(join(context.globalStorageUri.fsPath, 'verified'), version),
    async () => (await loadFeatures()).engine,
  );
  let features: Promise<Features> | undefined;
  const loaded = (): Promise<Features> =>
    (features ??= loadFeatures().then((bundle) => bundle.startFeatures(context, model, log())));
  const view = new VerificationView(model, async (workspace, report) => (await loaded()).evals.rows(workspace, report));
  const tree = vscode.window.createTreeView('aam.verification', { treeDataProvider: view, showCollapseAll: true });
  const quickFix: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  const whatIfChanged = new vscode.EventEmitter<void>();
  const policyChanged = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    log(),
    model,
    view,
    tree,
    new StatusBar(model),
    new RegistryStatus(context),
    whatIfChanged,
    policyChanged,
    ...COMMAND_IDS.map((id) =>
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await (await loaded()).commands[id](...args);
        } catch (error) {
          await showError(error);
        }
      }),
    ),
    vscode.languages.registerHoverProvider(LOCK_SELECTOR, {
      provideHover: async (document, position) => (await loaded()).lockFiles.provideHover(document, position),
    }),
    vscode.languages.registerCodeActionsProvider(
      LOCK_SELECTOR,
      {
        provideCodeActions: async (document, range, actionContext) =>
          (await loaded()).lockFiles.provideCodeActions(document, range, actionContext),
      },
      quickFix,
    ),
    vscode.languages.registerHoverProvider(CONFIG_SELECTOR, {
      provideHover: async (document, position) => (await loaded()).configs.provideHover(document, position),
    }),
    vscode.languages.registerCompletionItemProvider(
      CONFIG_SELECTOR,
      {
        provideCompletionItems: async (document, position) =>
          (await loaded()).completions.provideCompletionItems(document, position),
      },
      ':',
      ' ',
    ),
    vscode.languages.registerCodeActionsProvider(
      CONFIG_SELECTOR,
      {
        provideCodeActions: async (document, range, actionContext) =>
          (await loaded()).quickFixes.provideCodeActions(document, range, actionContext),
      },
      quickFix,
    ),
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, {
      onDidChangeCodeLenses: whatIfChanged.event,
      provideCodeLenses: async (document) => (await loaded()).whatIf.provideCodeLenses(document),
    }),
    // The files agents load: where each came from, and whether the editor's text is what was signed.
    vscode.languages.registerCodeLensProvider(
      { scheme: 'file' },
      {
        onDidChangeCodeLenses: model.onDidChange,
        provideCodeLenses: async (document) => (await loaded()).deployedFiles.provideCodeLenses(document),
      },
    ),
    vscode.languages.registerCodeActionsProvider(
      { scheme: 'file' },
      {
        provideCodeActions: async (document, range, actionContext) =>
          (await loaded()).deployedFiles.provideCodeActions(document, range, actionContext),
      },
      quickFix,
    ),
    // Hidden content in the files agents load, and in an update review's new side: the hover decodes it.
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: REVIEW_SCHEME }], {
      provideHover: async (document, position) => (await loaded()).hiddenContent.provideHover(document, position),
    }),
    vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, {
      provideTextDocumentContent: async (uri) => (await loaded()).reviewDocuments.provideTextDocumentContent(uri),
    }),
    vscode.window.registerCustomEditorProvider(
      POLICY_EDITOR_VIEW_TYPE,
      {
        resolveCustomTextEditor: async (document, panel) =>
          (await loaded()).policyEditor.resolveCustomTextEditor(document, panel),
      },
      { webviewOptions: { retainContextWhenHidden: false } },
    ),
    vscode.workspace.registerTextDocumentContentProvider(POLICY_SCHEME, {
      onDidChange: policyChanged.event,
      provideTextDocumentContent: async (uri) => (await loaded()).policyDocuments.provideTextDocumentContent(uri),
    }),
    ...watchForChanges(model, join(homedir(), '.aam')),
    model.onDidChange(() => updateContext(model, tree)),
  );
  void model.refresh();
  void loaded().then(
    (f) =>
      context.subscriptions.push(
        f.whatIf.onDidChangeCodeLenses(() => whatIfChanged.fire()),
        f.policyDocuments.onDidChange((uri) => policyChanged.fire(uri)),
      ),
    (error: unknown) =>
      log().error(
        `AAM Trust could not load its features: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
  );
  log().info(
    `AAM Trust activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version}, Node ${process.version})${model.restricted ? ' in Restricted Mode' : ''}`,
  );
  return {
    refresh: (options) => model.refresh({ token: options?.token }),
    statuses: () => Object.fromEntries(model.allReports().map(({ report }) => [report.name, report.verdict.status])),
    verificationView: view,
  };
}

function updateContext(model: TrustModel, tree: vscode.TreeView<unknown>): void {
  const workspaces = model.workspaces;
  void vscode.commands.executeCommand('setContext', 'aam.hasWorkspace', workspaces.length > 0);
  void vscode.commands.executeCommand(
    'setContext',
    'aam.hasPolicy',
    workspaces.some((w) => w.config?.files.some((f) => f.exists)),
  );
  void vscode.commands.executeCommand('setContext', 'aam.restricted', model.restricted);
  const ignored = workspaces.flatMap((w) => w.config?.findings ?? []).length;
  tree.message = model.restricted
    ? vscode.l10n.t(
        'Restricted Mode: project settings apply only where they tighten your global policy{0}.',
        ignored > 0 ? vscode.l10n.t(' ({0} ignored)', ignored) : '',
      )
    : undefined;
  const counts = tally(model.allReports().map((r) => r.report));
  const failed = counts.failed;
  // The counts at the top of the view, in the words the status bar and notifications use.
  tree.description = counts.parts.join(' · ') || undefined;
  tree.badge =
    failed > 0 ? { value: failed, tooltip: vscode.l10n.t('{0} packages failed verification', failed) } : undefined;
}

export function deactivate(): void {}
