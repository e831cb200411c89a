import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import type { TrustModel } from './model.ts';

/**
 * Re-verifies when a lock file, a config, an installed package or the keyring
 * changes. Bursts (an install writes many files) collapse into one refresh.
 */
export function watchForChanges(model: TrustModel, globalAamDir: string): vscode.Disposable[] {
  let timer: NodeJS.Timeout | undefined;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void model.refresh(), 400);
  };
  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/.aam/{aam-lock.yaml,config.yaml}'),
    vscode.workspace.createFileSystemWatcher('**/.aam/packages/**'),
    vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(
        vscode.Uri.file(globalAamDir),
        '{config.yaml,aam-lock.yaml,trust-record.yaml,keys/*.asc}',
      ),
    ),
    vscode.workspace.createFileSystemWatcher('**/.aam/trust-record.yaml'),
    // The copies agents load, where aam's adapters deploy them.
    vscode.workspace.createFileSystemWatcher('**/{.cursor,.claude}/{skills,rules,agents,prompts}/**'),
    vscode.workspace.createFileSystemWatcher('**/.github/{skills,agents,prompts,instructions}/**'),
    vscode.workspace.createFileSystemWatcher('**/{CLAUDE.md,AGENTS.md}'),
    vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(join(dirname(globalAamDir), '.codex')), '{skills,prompts}/**'),
    ),
  ];
  const disposables: vscode.Disposable[] = [...watchers];
  for (const watcher of watchers)
    disposables.push(watcher.onDidChange(refresh), watcher.onDidCreate(refresh), watcher.onDidDelete(refresh));
  disposables.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void model.refresh()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void model.refresh()),
    { dispose: () => clearTimeout(timer) },
  );
  return disposables;
}
