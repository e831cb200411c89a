/**
 * A stand-in for the `vscode` module, enough to load the extension's hover,
 * tooltip and tree-item code under plain Node and read what it builds.
 * MarkdownString behaves as VS Code's does (vs/base/common/htmlContent.ts):
 * appendMarkdown appends as is, appendText escapes Markdown syntax, so a test
 * sees exactly the Markdown VS Code would render. Call useVscodeMock() before
 * importing an extension module.
 */
import { registerHooks } from 'node:module';

export function useVscodeMock(): void {
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === 'vscode' ? { url: import.meta.url, shortCircuit: true } : next(specifier, context),
  });
}

export class MarkdownString {
  value: string;
  supportThemeIcons: boolean;
  isTrusted: boolean | { enabledCommands: string[] } | undefined;
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-!~]/g, '\\$&').replace(/\n/g, '\n\n');
    return this;
  }
}

const disposable = { dispose(): void {} };

export class EventEmitter {
  event = () => disposable;
  fire(): void {}
  dispose(): void {}
}

export class Position {
  line: number;
  character: number;
  constructor(line: number, character: number) {
    this.line = line;
    this.character = character;
  }
}

export class Range {
  start: Position;
  end: Position;
  constructor(a: number | Position, b: number | Position, c = 0, d = 0) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c, d) : (b as Position);
  }
}

export class Hover {
  contents: MarkdownString;
  range: Range | undefined;
  constructor(contents: MarkdownString, range?: Range) {
    this.contents = contents;
    this.range = range;
  }
}

export class TreeItem {
  label: string;
  collapsibleState: number;
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: unknown;
  contextValue?: string;
  accessibilityInformation?: { label: string };
  constructor(label: string, collapsibleState: number) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

/** Classes the code under test only constructs: what they were given is kept, and not read. */
class Kept {
  args: unknown[];
  constructor(...args: unknown[]) {
    this.args = args;
  }
}
export class ThemeIcon extends Kept {}
export class ThemeColor extends Kept {}
export class Diagnostic extends Kept {}
export class Location extends Kept {}
export class DiagnosticRelatedInformation extends Kept {}
export class CodeAction extends Kept {}
export class CodeLens extends Kept {}
export class WorkspaceEdit {
  replacements: { uri: unknown; range: Range; text: string }[] = [];
  replace(uri: unknown, range: Range, text: string): void {
    this.replacements.push({ uri, range, text });
  }
}

/** Every WorkspaceEdit the code under test applied, in order. */
export const applied: WorkspaceEdit[] = [];
/** What the code under test logged (the log channel's warn and error). */
export const logged: string[] = [];

export const CodeActionKind = { QuickFix: 'quickfix' };
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
const file = (fsPath: string) => ({
  fsPath,
  scheme: 'file',
  path: fsPath,
  toString: () => `file://${encodeURI(fsPath)}`,
});
export const Uri = {
  file,
  joinPath: (base: { fsPath: string }, ...parts: string[]) => file([base.fsPath, ...parts].join('/')),
};
export const l10n = {
  t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])),
};
export const languages = {
  createDiagnosticCollection: () => ({ clear() {}, set() {}, delete() {}, dispose() {} }),
  match: () => 0,
};
export const workspace = {
  textDocuments: [],
  isTrusted: true,
  onDidOpenTextDocument: () => disposable,
  onDidChangeTextDocument: () => disposable,
  onDidCloseTextDocument: () => disposable,
  onDidSaveTextDocument: () => disposable,
  applyEdit: async (edit: WorkspaceEdit) => applied.push(edit) > 0,
  // Outside every workspace folder (there are none here), VS Code gives the path as it is.
  asRelativePath: (path: string | { fsPath: string }) => (typeof path === 'string' ? path : path.fsPath),
};
export const window = {
  createOutputChannel: () => ({
    info() {},
    warn: (text: string) => logged.push(text),
    error: (text: string) => logged.push(text),
  }),
  showErrorMessage: async (text: string) => logged.push(text),
  showWarningMessage: async (text: string) => logged.push(text),
  visibleTextEditors: [],
  createTextEditorDecorationType: () => disposable,
  onDidChangeVisibleTextEditors: () => disposable,
  withProgress: <T>(_options: unknown, task: (progress: { report(): void }) => Promise<T>) => task({ report() {} }),
  showInformationMessage: async (text: string) => logged.push(text),
};
export const ProgressLocation = { Notification: 15, Window: 10, SourceControl: 1 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const commands = { executeCommand: async () => undefined };
