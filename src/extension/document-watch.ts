import * as vscode from 'vscode';
import type { TrustModel } from './model.ts';

/**
 * The subscriptions a per-document surface needs: check each document when
 * it opens, shortly after it is typed in, and again whenever the model
 * changes (a new policy, a new verification); forget it when it closes.
 */
export function watchDocuments(
  model: TrustModel,
  schedule: (document: vscode.TextDocument, delay: number) => void,
  forget: (uri: vscode.Uri) => void,
): vscode.Disposable[] {
  for (const document of vscode.workspace.textDocuments) schedule(document, 0);
  return [
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document, 150)),
    vscode.workspace.onDidCloseTextDocument((d) => forget(d.uri)),
    model.onDidChange(() => vscode.workspace.textDocuments.forEach((d) => schedule(d, 0))),
  ];
}
