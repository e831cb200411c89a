import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AamTrustApi } from '../../../src/extension.ts';

/** What the runner built for the suites (demo/world.ts), handed over in AAM_TEST_WORLD. */
export interface SuiteWorld {
  workspace: string;
  home: string;
  /** Each installed package's status words, as the Verification view says them. */
  expected: Record<string, string>;
}

export function suiteWorld(): SuiteWorld {
  const text = process.env.AAM_TEST_WORLD;
  assert.ok(text, 'AAM_TEST_WORLD describes the demo world the suites run against');
  return JSON.parse(text) as SuiteWorld;
}

export const lockFileUri = (): vscode.Uri => vscode.Uri.file(join(suiteWorld().workspace, '.aam', 'aam-lock.yaml'));
export const projectConfigUri = (): vscode.Uri => vscode.Uri.file(join(suiteWorld().workspace, '.aam', 'config.yaml'));
export const globalConfigUri = (): vscode.Uri => vscode.Uri.file(join(suiteWorld().home, '.aam', 'config.yaml'));

/** The extension under test, activated, and its API. */
export async function aamApi(): Promise<AamTrustApi> {
  const extension = vscode.extensions.getExtension<AamTrustApi>('aam-trust.aam-trust');
  assert.ok(extension, 'AAM Trust is installed in this extension host');
  return extension.activate();
}

/**
 * Waits until `probe` returns something (not undefined or false): checked
 * now, whenever one of `events` fires, and every 100 ms. On the timeout the
 * error says what was awaited and what `describe` saw last.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { events?: vscode.Event<unknown>[]; timeout?: number; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeout ?? 30_000);
  let wake: () => void = () => undefined;
  const subscriptions = (options.events ?? []).map((event) => event(() => wake()));
  try {
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}${options.describe ? `; last seen: ${options.describe()}` : ''}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
  }
}

/** The diagnostics AAM Trust put on `uri`. */
export function aamDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'AAM Trust');
}

/** Waits until AAM Trust's diagnostics on `uri` satisfy `check`, and returns them. */
export function diagnosticsWhere(
  uri: vscode.Uri,
  what: string,
  check: (diagnostics: vscode.Diagnostic[]) => boolean,
): Promise<vscode.Diagnostic[]> {
  return until(
    what,
    () => {
      const diagnostics = aamDiagnostics(uri);
      return check(diagnostics) && diagnostics;
    },
    {
      events: [vscode.languages.onDidChangeDiagnostics],
      describe: () =>
        JSON.stringify(aamDiagnostics(uri).map((d) => `${String(d.code)}@${d.range.start.line}: ${d.message}`)),
    },
  );
}

/** The line of a package's entry in the lock file (`  "@scope/name":`). */
export function entryLine(document: vscode.TextDocument, name: string): number {
  for (let line = 0; line < document.lineCount; line++)
    if (new RegExp(`^\\s+["']?${name.replace(/[/@.-]/g, '\\$&')}["']?:`).test(document.lineAt(line).text)) return line;
  throw new Error(`${name} has no entry in ${document.uri.fsPath}`);
}

/** A package row of the Verification view: the node the view holds, and the item it shows. */
export interface PackageRow {
  node: unknown;
  item: vscode.TreeItem;
  name: string;
}

export async function packageRows(api: AamTrustApi): Promise<PackageRow[]> {
  const view = api.verificationView;
  const rows: PackageRow[] = [];
  for (const node of (await view.getChildren()) ?? []) {
    const item = await view.getTreeItem(node);
    if (!item.contextValue?.startsWith('aamPackage')) continue;
    rows.push({ node, item, name: labelOf(item) });
  }
  return rows;
}

export async function packageRow(api: AamTrustApi, name: string): Promise<PackageRow> {
  const row = (await packageRows(api)).find((r) => r.name === name);
  assert.ok(row, `the Verification view has a row for ${name}`);
  return row;
}

/** The rows under a package: its checks, as the view shows them. */
export async function checkRows(api: AamTrustApi, row: PackageRow): Promise<vscode.TreeItem[]> {
  const view = api.verificationView;
  return Promise.all(((await view.getChildren(row.node)) ?? []).map((node) => view.getTreeItem(node)));
}

export function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The document of `uri`, shown in an editor (providers that follow open documents see it). */
export async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
}

/** Closes every editor without saving what the test changed in it. */
export async function closeAllEditors(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
