import * as vscode from 'vscode';

/** A quick fix that runs an AAM command on one installed package (accept a change, restore deployed copies). */
export function packageFix(
  title: string,
  diagnostic: vscode.Diagnostic,
  command: 'aam.acceptSignerChange' | 'aam.restoreDeployed',
  target: { workspaceId: string; packageName: string },
  preferred = false,
): vscode.CodeAction {
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  action.command = { command, title, arguments: [target] };
  return action;
}
