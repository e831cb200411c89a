import * as vscode from 'vscode';
import { watchDocuments } from './document-watch.ts';
import { validateConfigText } from '../core/config/validate.ts';
import type { PolicyFinding } from '../core/config/tightening.ts';
import type { ConfigDiagnostic } from '../core/config/diagnostics.ts';
import { schemaAt } from '../core/config/schema.ts';
import {
  describePattern,
  entryText,
  isTrustedIdentity,
  normalizeFingerprint,
  parseIdentityPattern,
  patternOf,
  pinnedIssuerOf,
} from '../core/policy/identity.ts';
import type { TrustedIdentity } from '../core/policy/identity.ts';
import { mergeConfigFiles } from '../core/config/load.ts';
import { projectConfigPath } from '../core/config/paths.ts';
import { YamlSource } from '../core/yaml/source.ts';
import type { YamlPath, YamlRanges } from '../core/yaml/source.ts';
import type { TrustModel } from './model.ts';
import { livePolicy } from './live-policy.ts';
import { toRange } from './ranges.ts';
import { CONFIG_SELECTOR } from './selectors.ts';
import { mdCode, mdText } from './markdown-text.ts';

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/**
 * The editor for `.aam/config.yaml` and `~/.aam/config.yaml`: schema and policy
 * diagnostics as you type, and hovers that say what a setting means, its
 * effective value and where that comes from, and which packages a trust
 * entry currently trusts.
 */
export class ConfigFeatures implements vscode.HoverProvider, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('aam-config');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly model: TrustModel;
  /** The last validation of each open config document, for code actions and hovers. */
  readonly lastFindings = new Map<string, ConfigDiagnostic[]>();

  constructor(model: TrustModel) {
    this.model = model;
    this.disposables.push(
      this.collection,
      ...watchDocuments(
        model,
        (d, delay) => this.schedule(d, delay),
        (uri) => {
          this.collection.delete(uri);
          this.lastFindings.delete(uri.toString());
        },
      ),
    );
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!vscode.languages.match(CONFIG_SELECTOR, document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.validate(document), delay),
    );
  }

  validate(document: vscode.TextDocument): void {
    const { diagnostics, value, source } = validateConfigText(document.getText());
    this.lastFindings.set(document.uri.toString(), diagnostics);
    const out = diagnostics.map((d) => {
      const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
      diagnostic.source = 'AAM Trust';
      diagnostic.code = d.code;
      return diagnostic;
    });
    if (value)
      out.push(...this.unusedTrustEntries(document, source, value), ...this.weakenings(document, source, value));
    this.collection.set(document.uri, out);
  }

  /**
   * A project config's settings that weaken the global policy, from the text
   * being typed: always flagged (trusted workspace or not), and in Restricted
   * Mode also those that only a trusted workspace may set.
   */
  private weakenings(
    document: vscode.TextDocument,
    source: YamlRanges,
    value: Record<string, unknown>,
  ): vscode.Diagnostic[] {
    const workspace = this.model.workspaces.find(
      (w) => w.kind === 'project' && projectConfigPath(w.paths.root) === document.uri.fsPath,
    );
    const global = workspace?.config?.files.find((f) => f.layer === 'global');
    if (!workspace || !global) return [];
    const project = { layer: 'project' as const, path: document.uri.fsPath, exists: true, diagnostics: [], value };
    const restricted = this.model.restricted;
    const { findings } = mergeConfigFiles([global, project], restricted, this.model.homeDir, restricted);
    return findings.map((finding) => {
      const diagnostic = new vscode.Diagnostic(
        toRange(source.keyRange(finding.path)),
        policyFindingText(finding, global.path, this.model.restricted),
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'AAM Trust';
      diagnostic.code = finding.kind === 'weakens' ? 'POLICY_WEAKENS' : 'POLICY_TRUSTED_ONLY';
      return diagnostic;
    });
  }

  /** Information diagnostics on trust entries that trust none of the installed packages. */
  private unusedTrustEntries(
    document: vscode.TextDocument,
    source: YamlRanges,
    value: Record<string, unknown>,
  ): vscode.Diagnostic[] {
    const reports = this.reportsGovernedBy(document.uri.fsPath);
    if (reports.length === 0) return [];
    const security = (value.security ?? {}) as Record<string, unknown>;
    const out: vscode.Diagnostic[] = [];
    for (const list of ['trusted_identities', 'trusted_keys'] as const) {
      const entries = Array.isArray(security[list]) ? (security[list] as unknown[]) : [];
      entries.forEach((entry, i) => {
        if (!isTrustedIdentity(entry) || (list === 'trusted_keys' && typeof entry !== 'string')) return;
        const text = entryText(entry);
        if (this.packagesTrustedBy(document.uri.fsPath, text).length > 0) return;
        if (list === 'trusted_identities' ? !parseIdentityPattern(patternOf(entry)).ok : !normalizeFingerprint(text))
          return;
        const diagnostic = new vscode.Diagnostic(
          toRange(source.valueRange(['security', list, i])),
          vscode.l10n.t('"{0}" trusts none of the {1} installed packages.', text, reports.length),
          vscode.DiagnosticSeverity.Information,
        );
        diagnostic.source = 'AAM Trust';
        diagnostic.code = 'TRUST_ENTRY_UNUSED';
        out.push(diagnostic);
      });
    }
    return out;
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const source = new YamlSource(document.getText());
    const { path, onKey, node } = source.pathAt(document.offsetAt(position));
    if (path.length === 0 || !node?.range) return undefined;
    const range = toRange(source.rangeOf(node.range[0], node.range[1]));
    const [section, list, index] = path;
    if (
      section === 'security' &&
      (list === 'trusted_identities' || list === 'trusted_keys') &&
      typeof index === 'number' &&
      (path.length === 3 || (!onKey && path[3] === 'identity'))
    ) {
      const security = (validateConfigText(document.getText()).value?.security ?? {}) as Record<string, unknown>;
      const entry = (security[list] as unknown[] | undefined)?.[index];
      if (isTrustedIdentity(entry))
        return new vscode.Hover(this.trustEntryHover(document.uri.fsPath, list, entry), range);
    }
    const schemaPath = onKey || typeof path[path.length - 1] !== 'number' ? path : path.slice(0, -1);
    return this.settingHover(document, schemaPath, range);
  }

  private trustEntryHover(
    file: string,
    list: 'trusted_identities' | 'trusted_keys',
    entry: TrustedIdentity,
  ): vscode.MarkdownString {
    const md = new vscode.MarkdownString();
    const text = entryText(entry);
    md.appendMarkdown(`**${mdCode(text)}** (${list})\n\n`);
    if (list === 'trusted_identities') {
      const parsed = parseIdentityPattern(patternOf(entry));
      const issuer = pinnedIssuerOf(entry);
      md.appendMarkdown(
        parsed.ok
          ? `Matches ${mdText(describePattern(parsed.pattern))}${issuer ? `, and only in certificates issued by ${mdCode(issuer)}` : ''}.`
          : `Not a valid pattern: it ${mdText(parsed.reason)}, so it trusts no one.`,
      );
    } else {
      const fingerprint = typeof entry === 'string' ? normalizeFingerprint(entry) : undefined;
      md.appendMarkdown(
        fingerprint
          ? `Matches signatures by the OpenPGP key ${mdCode(fingerprint)} (or its subkeys).`
          : 'Not a full fingerprint, so it trusts no one.',
      );
    }
    const trusted = this.packagesTrustedBy(file, text);
    md.appendMarkdown('\n\n');
    md.appendMarkdown(
      trusted.length > 0
        ? `Currently trusts: ${trusted.map(mdCode).join(', ')}.`
        : 'Currently trusts none of the installed packages.',
    );
    return md;
  }

  private async settingHover(
    document: vscode.TextDocument,
    path: YamlPath,
    range: vscode.Range,
  ): Promise<vscode.Hover | undefined> {
    const schema = schemaAt(path);
    if (!schema?.description) return undefined;
    const md = new vscode.MarkdownString();
    // The description is the schema's; the path and the value in effect come from config files a pull request writes.
    md.appendMarkdown(`**${mdText(path.filter((p) => typeof p === 'string').join('.'))}**\n\n${schema.description}`);
    if (schema.enum) md.appendMarkdown(`\n\nOne of: ${schema.enum.map((v) => mdCode(String(v))).join(', ')}`);
    if (schema.default !== undefined) md.appendMarkdown(`\n\nDefault: ${mdCode(JSON.stringify(schema.default))}`);
    const effective = await this.effectiveValue(document, path);
    if (effective)
      md.appendMarkdown(
        `\n\n**Effective:** ${mdCode(String(JSON.stringify(effective.value)))} — from ${mdText(effective.source)}`,
      );
    return new vscode.Hover(md, range);
  }

  /** The value in effect as the document stands, typed but unsaved included. */
  private async effectiveValue(
    document: vscode.TextDocument,
    path: YamlPath,
  ): Promise<{ value: unknown; source: string } | undefined> {
    if (path[0] !== 'security' || path.length !== 2) return undefined;
    const { config } = await livePolicy(this.model, document);
    const key = path[1] as keyof typeof config.security;
    if (!(key in config.security)) return undefined;
    const origin = config.merged.originOf(['security', key]);
    const restricted =
      config.restricted && config.findings.some((f) => f.path.join('.') === `security.${key}`)
        ? ' (the project value is ignored in Restricted Mode)'
        : '';
    const unsaved = origin.file === document.uri.fsPath && document.isDirty ? ' (unsaved)' : '';
    return { value: config.security[key], source: `${origin.file ?? 'the default'}${unsaved}${restricted}` };
  }

  /** Reports whose policy includes `file` (the global file governs every workspace that does not override it). */
  private reportsGovernedBy(file: string) {
    const isGlobal = file === this.model.globalConfigFile;
    return this.model.workspaces
      .filter((w) => isGlobal || w.paths.root === file.replace(/\/\.aam\/config\.yaml$/, ''))
      .flatMap((w) => w.reports);
  }

  private packagesTrustedBy(file: string, entry: string): string[] {
    return this.reportsGovernedBy(file)
      .filter((r) => r.verdict.trustedBy?.pattern === entry && r.verdict.trustedBy.source === file)
      .map((r) => `${r.name}@${r.version}`);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** What a project setting that weakens the global policy (or waits for trust) is said to do, in the editor and the form. */
export function policyFindingText(finding: PolicyFinding, globalPath: string, restricted: boolean): string {
  const ignored = restricted
    ? vscode.l10n.t(' It is ignored in Restricted Mode.')
    : vscode.l10n.t(' It applies because this workspace is trusted.');
  return finding.kind === 'weakens'
    ? vscode.l10n.t('This project setting weakens your global policy ({0}): it {1}.', globalPath, finding.message) +
        ignored
    : vscode.l10n.t('This project setting {0}; it is ignored until you trust this workspace.', finding.message);
}
