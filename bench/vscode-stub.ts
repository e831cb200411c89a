/**
 * A stand-in for the `vscode` module, for measuring extension code outside
 * VS Code: every API is a no-op proxy (calls, property reads and `new` all
 * work and return more proxies). Installed into Node's CommonJS loader, so
 * a bundle's `require("vscode")` gets it.
 */
import Module from 'node:module';

export function stub(path: string): unknown {
  return new Proxy(function () {}, {
    get(_target, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => path;
      if (key === 'isTrusted') return true;
      if (key === 'workspaceFolders') return [];
      if (key === 't') return (text: string) => text;
      return stub(`${path}.${String(key)}`);
    },
    set() {
      return true;
    },
    defineProperty() {
      return true;
    },
    apply() {
      return stub(`${path}()`);
    },
    construct() {
      return stub(`new ${path}`) as object;
    },
  });
}

/** A plain object, so a bundle's ES-module interop can copy its members. */
const vscode: Record<string, unknown> = Object.fromEntries(
  [
    'CodeAction',
    'CodeActionKind',
    'CodeLens',
    'CompletionItem',
    'CompletionItemKind',
    'Diagnostic',
    'DiagnosticRelatedInformation',
    'DiagnosticSeverity',
    'Disposable',
    'EventEmitter',
    'Hover',
    'Location',
    'MarkdownString',
    'Position',
    'ProgressLocation',
    'Range',
    'RelativePattern',
    'StatusBarAlignment',
    'ThemeColor',
    'ThemeIcon',
    'TreeItem',
    'TreeItemCollapsibleState',
    'Uri',
    'ViewColumn',
    'WorkspaceEdit',
    'commands',
    'env',
    'l10n',
    'languages',
    'window',
    'workspace',
  ].map((name) => [name, stub(`vscode.${name}`)]),
);
vscode.version = '1.100.0';

export function installVscodeStub(overrides: Record<string, unknown> = {}): void {
  Object.assign(vscode, overrides);
  const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  loader._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
}
