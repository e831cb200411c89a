import * as vscode from 'vscode';
import { sep } from 'node:path';
import { hiddenHover, hiddenMessage } from '../core/content/describe.ts';
import { scanText } from '../core/content/scan.ts';
import type { HiddenItem } from '../core/content/scan.ts';
import { agentPlatformsOf } from '../core/deploy/surface.ts';
import type { FailureMode } from '../core/policy/decision.ts';
import type { TrustModel } from './model.ts';
import { REVIEW_SCHEME } from './selectors.ts';
import { watchDocuments } from './document-watch.ts';

/**
 * Hidden content in the files agents load, as the editor shows it: each item
 * a diagnostic at its exact range (error or warning, as hidden_content says),
 * and a hover that decodes what the hidden text says. Files an agent loads
 * (SPEC §1 places and each platform's own files), installed package files,
 * and the new side of an update review are scanned as they are typed.
 */
export class HiddenContent implements vscode.HoverProvider, vscode.Disposable {
  private readonly model: TrustModel;
  private readonly collection = vscode.languages.createDiagnosticCollection('aam-hidden');
  private readonly items = new Map<string, HiddenItem[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(model: TrustModel) {
    this.model = model;
    this.disposables.push(
      this.collection,
      ...watchDocuments(
        model,
        (d, delay) => this.schedule(d, delay),
        (uri) => {
          this.collection.delete(uri);
          this.items.delete(uri.toString());
        },
      ),
    );
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = (this.items.get(document.uri.toString()) ?? []).filter((item) => rangeOf(item).contains(position));
    if (found.length === 0) return undefined;
    const md = new vscode.MarkdownString(found.map(hiddenHover).join('\n\n---\n\n'));
    md.supportThemeIcons = false;
    return new vscode.Hover(md, rangeOf(found[0]!));
  }

  /** Whether an agent loads this document (or it is an installed package file, or a review's new side). */
  private watched(document: vscode.TextDocument): boolean {
    // An update review's new side is scanned too, before it lands.
    if (document.uri.scheme === REVIEW_SCHEME) return document.uri.path.includes('/after/');
    if (document.uri.scheme !== 'file') return false;
    const path = document.uri.fsPath;
    if (path.includes(`${sep}.aam${sep}packages${sep}`)) return true;
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return roots.some((project) => agentPlatformsOf(path, { project, home: this.model.homeDir }).length > 0);
  }

  private modeFor(document: vscode.TextDocument): FailureMode {
    const path = document.uri.fsPath;
    const workspace =
      this.model.workspaces.find((w) => w.kind === 'project' && path.startsWith(`${w.paths.root}${sep}`)) ??
      this.model.workspaces.find((w) => w.config);
    return workspace?.config?.security.hidden_content ?? 'warn';
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!this.watched(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.check(document), delay),
    );
  }

  private check(document: vscode.TextDocument): void {
    const mode = this.modeFor(document);
    const items = mode === 'ignore' ? [] : scanText(document.getText(), document.uri.path);
    this.items.set(document.uri.toString(), items);
    const severity = mode === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
    this.collection.set(
      document.uri,
      items.map((item) => {
        const d = new vscode.Diagnostic(rangeOf(item), hiddenMessage(item), severity);
        d.source = 'AAM Trust';
        d.code = item.kind;
        return d;
      }),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}

function rangeOf(item: HiddenItem): vscode.Range {
  return new vscode.Range(item.start.line, item.start.character, item.end.line, item.end.character);
}
