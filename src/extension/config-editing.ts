import * as vscode from 'vscode';
import { configCompletions } from '../core/config/completion.ts';
import { applyConfigEdits } from '../core/config/edit.ts';
import { isMap } from 'yaml';
import { trustOptionsFor } from '../core/config/trust-entries.ts';
import { entryText, exactPatternFor, isTrustedIdentity, patternOf } from '../core/policy/identity.ts';
import type { TrustedIdentity } from '../core/policy/identity.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
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

  /**
   * Replaces an over-broad entry by the signers it trusts now, each exactly and pinned to the issuer it was seen
   * with (as "Trust this signer" writes it): a bare address would accept the same name from any OIDC provider.
   * Only the packages this file governs count (reportsUnder); a signer without an exact form leaves no narrowing.
   */
  private narrow(
    document: vscode.TextDocument,
    diagnostic: vscode.Diagnostic,
    path: (string | number)[],
  ): vscode.CodeAction[] {
    // A pinned entry's finding is on its `identity`: the entry is the mapping around it.
    const entryPath = path.at(-1) === 'identity' ? path.slice(0, -1) : path;
    const node: unknown = new YamlSource(document.getText()).doc.getIn(entryPath);
    const entry: unknown = isMap(node) ? node.toJSON() : node;
    if (!isTrustedIdentity(entry)) return [];
    const pattern = entryText(entry);
    const narrowed = new Map<string, TrustedIdentity>();
    for (const report of this.reportsUnder(document)) {
      const signer = report.verdict.signer;
      if (report.verdict.trustedBy?.pattern !== pattern || signer?.type !== 'sigstore') continue;
      const exact = exactPatternFor(signer.identity);
      const option = trustOptionsFor(signer).find((o) => exact !== undefined && patternOf(o.value) === exact);
      if (!option) return [];
      narrowed.set(JSON.stringify(option.value), option.value);
    }
    const entries = [...narrowed.values()];
    const title =
      entries.length > 0
        ? vscode.l10n.t(
            'Narrow to the {0} signer(s) it trusts now: {1}',
            entries.length,
            entries.map(entryText).join(', '),
          )
        : vscode.l10n.t('Remove "{0}" (it trusts no installed package)', pattern);
    const list = entryPath.slice(0, -1).map(String);
    const next = applyConfigEdits(document.getText(), [
      { op: 'remove-from-list', path: list, value: entry },
      ...entries.map((value) => ({ op: 'add-to-list' as const, path: list, value })),
    ]);
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    action.edit = minimalEdit(document, next);
    action.diagnostics = [diagnostic];
    return [action];
  }

  /**
   * The reports of the packages a config file governs: its own workspace's. The global config also governs the
   * projects that take their trust list from it, but a project's packages are counted only in a trusted window:
   * a cloned project's lock file must not choose whom the user's own config names.
   */
  private reportsUnder(document: vscode.TextDocument): PackageReport[] {
    const global = document.uri.fsPath === this.model.globalConfigFile;
    const own =
      this.model.workspaceOfFile(document.uri) ??
      (global ? this.model.workspaces.find((w) => w.kind === 'global') : undefined);
    const governed =
      global && !this.model.restricted
        ? this.model.workspaces
            .filter((w) => w !== own && w.kind === 'project')
            .flatMap((w) => w.reports.filter((r) => r.verdict.trustedBy?.source === this.model.globalConfigFile))
        : [];
    return [...(own?.reports ?? []), ...governed];
  }
}
