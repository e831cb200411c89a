import * as vscode from 'vscode';
import { configCompletions } from '../core/config/completion.ts';
import { applyConfigEdits } from '../core/config/edit.ts';
import { YamlSource } from '../core/yaml/source.ts';
import type { ConfigFeatures } from './config-features.ts';
import { toRange } from './ranges.ts';
import { minimalEdit } from './text-edit.ts';
import type { TrustModel } from './model.ts';

/** Completion of keys and values from the schema, in config files. */
export class ConfigCompletions implements vscode.CompletionItemProvider {
  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    return configCompletions(document.getText(), document.offsetAt(position)).map((c) => {
      const item = new vscode.CompletionItem(
        c.label,
        c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
      );
      item.insertText = c.insertText;
      item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      return item;
    });
  }
}

/**
 * Quick fixes in config files: the core's fix for a finding (rename an
 * unknown key, pick the allowed value, normalise a fingerprint, anchor a
 * pattern), and narrowing an over-broad pattern to the signers it trusts now.
 */
export class ConfigQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };
  private readonly features: ConfigFeatures;
  private readonly model: TrustModel;

  constructor(features: ConfigFeatures, model: TrustModel) {
    this.features = features;
    this.model = model;
  }

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const findings = this.features.lastFindings.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'AAM Trust') continue;
      const finding = findings.find((f) => f.code === diagnostic.code && toRange(f.range).isEqual(diagnostic.range));
      if (finding?.fix) {
        const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, diagnostic.range, finding.fix.replacement);
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        actions.push(action);
      }
      if (diagnostic.code === 'IDENTITY_BROAD' && finding)
        actions.push(...this.narrow(document, diagnostic, finding.path as (string | number)[]));
    }
    return actions;
  }

  private narrow(
    document: vscode.TextDocument,
    diagnostic: vscode.Diagnostic,
    path: (string | number)[],
  ): vscode.CodeAction[] {
    const pattern = String(new YamlSource(document.getText()).doc.getIn(path) ?? '');
    const identities = [
      ...new Set(
        this.model
          .allReports()
          .filter(
            ({ report }) => report.verdict.trustedBy?.pattern === pattern && report.verdict.signer?.type === 'sigstore',
          )
          .map(({ report }) =>
            report.verdict.signer!.type === 'sigstore' ? report.verdict.signer!.identity.san.toLowerCase() : '',
          ),
      ),
    ];
    const title =
      identities.length > 0
        ? vscode.l10n.t('Narrow to the {0} signer(s) it trusts now: {1}', identities.length, identities.join(', '))
        : vscode.l10n.t('Remove "{0}" (it trusts no installed package)', pattern);
    const next = applyConfigEdits(document.getText(), [
      { op: 'remove-from-list', path: path.slice(0, -1).map(String), value: pattern },
      ...identities.map((value) => ({ op: 'add-to-list' as const, path: path.slice(0, -1).map(String), value })),
    ]);
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    action.edit = minimalEdit(document, next);
    action.diagnostics = [diagnostic];
    return [action];
  }
}
