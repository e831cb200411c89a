import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { assertConfigFileWritable } from '../core/config/project-write.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { addToListEdit, applyConfigEdits } from '../core/config/edit.ts';
import type { ConfigEdit } from '../core/config/edit.ts';
import type { ListItem } from '../core/config/config-edit.ts';
import { schemaAt } from '../core/config/schema.ts';
import { validateConfigText } from '../core/config/validate.ts';
import { YamlSource } from '../core/yaml/source.ts';
import type { HostMessage, PolicyState, WebviewMessage } from '../webview/protocol.ts';
import { showError } from './errors.ts';
import { livePolicy } from './live-policy.ts';
import { policyFindingText } from './config-features.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { toRange } from './ranges.ts';
import { POLICY_EDITOR_VIEW_TYPE } from './selectors.ts';
import { minimalEdit } from './text-edit.ts';
import { previewUnsaved } from './what-if.ts';
import { formMessage } from './policy-messages.ts';
import { applyLevel, levelPreview, levelState } from './policy-levels.ts';

/**
 * The form editor for the `security:` section of a config file. It is a
 * custom *text* editor: the YAML document stays the single source of truth,
 * every change is a WorkspaceEdit on it, so undo/redo, dirty state, saving
 * and edits made elsewhere all behave as in the text editor.
 */
export class PolicyEditorProvider implements vscode.CustomTextEditorProvider {
  private readonly extensionUri: vscode.Uri;
  private readonly model: TrustModel;

  constructor(extensionUri: vscode.Uri, model: TrustModel) {
    this.extensionUri = extensionUri;
    this.model = model;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const scripts = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [scripts] };
    panel.webview.html = page(panel.webview, vscode.Uri.joinPath(scripts, 'policy-editor.js'));
    let ready = false;
    const post = async () => {
      if (!ready) return;
      const message: HostMessage = { type: 'state', state: await this.stateOf(document) };
      await panel.webview.postMessage(message);
    };
    const subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString()) void post();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.toString() === document.uri.toString()) void post();
      }),
      this.model.onDidChange(() => void post()),
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        // Only what the form's controls can send is acted on: the page does not decide what is written.
        const message = formMessage(raw);
        if (!message) {
          log().warn(`Policy form: ignored a message the form does not send: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        try {
          if (message.type === 'ready') {
            ready = true;
            await post();
          } else if (message.type === 'openText') {
            await openAsText(document, message.key);
          } else if (message.type === 'previewLevel') {
            const reply: HostMessage = {
              type: 'levelPreview',
              preview: levelPreview(this.model, document, message.level),
            };
            await panel.webview.postMessage(reply);
          } else if (message.type === 'applyLevel') {
            await assertConfigFileWritable(document.uri.fsPath, this.model.globalConfigFile);
            await applyLevel(document, message.level);
          } else {
            await assertConfigFileWritable(document.uri.fsPath, this.model.globalConfigFile);
            await this.apply(document, message);
          }
        } catch (error) {
          await showError(error);
        }
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
    // The text editor's tab says config.yaml; this one says what it is.
    panel.title = vscode.l10n.t(
      '{0} (form)',
      document.uri.fsPath === this.model.globalConfigFile
        ? vscode.l10n.t('Global policy')
        : vscode.l10n.t('Project policy'),
    );
  }

  private async apply(
    document: vscode.TextDocument,
    message: Extract<WebviewMessage, { type: 'edit' | 'add' }>,
  ): Promise<void> {
    let edit: ConfigEdit =
      message.type === 'edit'
        ? message.edit
        : { op: 'add-to-list', path: ['security', message.key], value: message.value };
    if (message.type === 'add') {
      const state = await this.stateOf(document);
      const effective = (state.effective[message.key]?.value as ListItem[] | undefined) ?? [];
      const own = validateConfigText(document.getText()).value;
      edit = addToListEdit(own, state.layer === 'project' ? effective : [], ['security', message.key], message.value);
    }
    const next = applyConfigEdits(document.getText(), [edit]);
    if (next !== document.getText()) await vscode.workspace.applyEdit(minimalEdit(document, next));
  }

  /** The form's view of the document: its own values, the merged policy, findings and the what-if preview. */
  private async stateOf(document: vscode.TextDocument): Promise<PolicyState> {
    const file = document.uri.fsPath;
    const { layer, validation, config: merged } = await livePolicy(this.model, document);
    const yamlError = validation.value === undefined ? (validation.diagnostics[0]?.message ?? 'unreadable') : undefined;
    const security = validation.value?.security;
    const preview = previewUnsaved(this.model);
    return {
      file,
      layer,
      restricted: this.model.restricted,
      dirty: document.isDirty,
      yamlError,
      own:
        security && typeof security === 'object' && !Array.isArray(security)
          ? (security as Record<string, unknown>)
          : {},
      effective: Object.fromEntries(
        Object.entries(merged.security).map(([key, value]) => [
          key,
          { value, source: merged.merged.originOf(['security', key]).file ?? 'default' },
        ]),
      ),
      findings: [
        ...validation.diagnostics
          .filter((d) => d.path[0] === 'security')
          .map((d) => ({ path: [...d.path], severity: d.severity, message: d.message })),
        // What the text editor says too: a project setting that weakens the global policy is always flagged.
        ...(layer === 'project' ? merged.findings : []).map((f) => ({
          path: [...f.path],
          severity: 'warning' as const,
          message: policyFindingText(f, this.model.globalConfigFile, this.model.restricted),
        })),
      ],
      keys: SECURITY_KEYS,
      whatIf: preview.dirty
        ? {
            summary: preview.summary,
            changes: preview.changes.map((c) => ({
              name: `${c.name}@${c.version}`,
              before: `${STATUS_LABEL[c.before.status]} (${c.beforeOutcome})`,
              after: `${STATUS_LABEL[c.after.status]} (${c.afterOutcome})${c.acceptsSignerChange ? ' — accepts a changed signer' : ''}`,
              action: c.afterOutcome,
              message: c.after.message,
            })),
          }
        : undefined,
      level: levelState(merged),
    };
  }
}

function page(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AAM Trust Policy</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 20px 40px; max-width: 820px; }
  h1 { font-size: 1.4em; margin-bottom: 2px; } h2 { font-size: 1.1em; margin: 26px 0 8px; border-bottom: 1px solid var(--vscode-widget-border, #8884); padding-bottom: 4px; }
  .file, .source { color: var(--vscode-descriptionForeground); font-size: 0.92em; }
  .field { margin: 12px 0; } .add-row { display: flex; gap: 8px; margin-top: 6px; } .add-row vscode-textfield { flex: 1; }
  ul.entries { list-style: none; padding: 0; margin: 6px 0; } ul.entries li { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; padding: 2px 0; }
  ul.entries li.inherited code { opacity: 0.65; } ul.entries li > div { flex-basis: 100%; font-size: 0.9em; }
  .error, .error-banner { color: var(--vscode-errorForeground); } .warning { color: var(--vscode-editorWarning-foreground); } .information, .hint { color: var(--vscode-descriptionForeground); }
  .notice { margin: 8px 0; color: var(--vscode-editorWarning-foreground); }
  #what-if { display: none; margin: 14px 0; padding: 10px 12px; border-left: 3px solid var(--vscode-editorWarning-foreground); background: var(--vscode-textBlockQuote-background); }
  #what-if.visible, #level-preview.visible { display: block; } #what-if ul { margin: 6px 0 0; } .change.fail { color: var(--vscode-errorForeground); }
  #level-preview { display: none; margin: 10px 0; padding: 10px 12px; border-left: 3px solid var(--vscode-focusBorder); background: var(--vscode-textBlockQuote-background); }
  .level-current { margin: 4px 0 8px; font-weight: 600; } table.level-keys { margin: 8px 0; font-size: 0.88em; border-spacing: 8px 2px; } table.level-keys th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); }
  table.level-keys code, #level-preview code { line-height: 1.8; }
  .reset { margin-left: 4px; }
  pre.value { margin: 4px 0; padding: 6px 8px; background: var(--vscode-textCodeBlock-background); font-family: var(--vscode-editor-font-family); white-space: pre-wrap; }
</style></head>
<body><div id="app"></div><script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script></body></html>`;
}

/** Every security key the schema knows, with its description (the form's "More settings" shows the rest). */
const SECURITY_KEYS: Record<string, string> = Object.fromEntries(
  Object.keys(schemaAt(['security'])?.properties ?? {}).map((key) => [
    key,
    schemaAt(['security', key])?.description ?? '',
  ]),
);

/** The text editor beside the form, at the key asked about (or at `security:`). */
async function openAsText(document: vscode.TextDocument, key: string | undefined): Promise<void> {
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside });
  if (!key) return;
  // The key's line, or the nearest that exists (security:, or the top) where it would go.
  const range = toRange(new YamlSource(document.getText()).keyRange(['security', key]));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Opens a config file in the form editor. */
export async function openPolicyForm(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', uri, POLICY_EDITOR_VIEW_TYPE);
}
