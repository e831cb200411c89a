import * as vscode from 'vscode';

/**
 * A WorkspaceEdit that turns `document` into `next` by replacing only the
 * span that differs, so undo, cursors and folding survive.
 */
export function minimalEdit(document: vscode.TextDocument, next: string): vscode.WorkspaceEdit {
  const current = document.getText();
  let start = 0;
  while (start < current.length && start < next.length && current[start] === next[start]) start++;
  let endCurrent = current.length;
  let endNext = next.length;
  while (endCurrent > start && endNext > start && current[endCurrent - 1] === next[endNext - 1]) {
    endCurrent--;
    endNext--;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(
    document.uri,
    new vscode.Range(document.positionAt(start), document.positionAt(endCurrent)),
    next.slice(start, endNext),
  );
  return edit;
}

/** Applies config edits to a file through its (possibly unsaved) editor buffer, then saves it. */
export async function editAndSave(uri: vscode.Uri, compute: (text: string) => string): Promise<void> {
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
    document = await vscode.workspace.openTextDocument(uri);
  }
  const next = compute(document.getText());
  if (next === document.getText()) return;
  if (!(await vscode.workspace.applyEdit(minimalEdit(document, next))))
    throw new Error(`Could not edit ${uri.fsPath}.`);
  await document.save();
}
