/**
 * The policy form (PolicyEditorProvider) over the VS Code mock: a TextDocument
 * backed by a string, a WebviewPanel that records what the host posts and lets
 * a test post what the page would, and a TrustModel with just what the form
 * reads. applyEdit applies the WorkspaceEdit to the document, as VS Code does;
 * save() writes the document to its path, as VS Code does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.ts';
import * as mock from './vscode-mock.ts';
import type { PolicyState } from '../../src/webview/protocol.ts';

mock.useVscodeMock();

type Edit = { replacements: { uri: { fsPath: string }; range: mock.Range; text: string }[] };

export class FakeDocument {
  uri: { fsPath: string; scheme: string; path: string; toString(): string };
  text: string;
  isDirty = false;
  constructor(path: string, text: string) {
    this.uri = mock.Uri.file(path);
    this.text = text;
  }
  getText(): string {
    return this.text;
  }
  offsetAt(p: mock.Position): number {
    const lines = this.text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
    return o + p.character;
  }
  positionAt(offset: number): mock.Position {
    const before = this.text.slice(0, offset).split('\n');
    return new mock.Position(before.length - 1, before.at(-1)!.length);
  }
  /** What VS Code does on save: write the buffer to the document's path (following links on the way). */
  save(): void {
    writeFileSync(this.uri.fsPath, this.text);
    this.isDirty = false;
  }
}

export const documents: FakeDocument[] = [];
(mock.workspace as { textDocuments: unknown }).textDocuments = documents;
(mock.workspace as { applyEdit: unknown }).applyEdit = async (edit: Edit) => {
  for (const r of edit.replacements) {
    const doc = documents.find((d) => d.uri.fsPath === r.uri.fsPath);
    if (!doc) throw new Error(`no document ${r.uri.fsPath}`);
    const start = doc.offsetAt(r.range.start);
    const end = doc.offsetAt(r.range.end);
    doc.text = doc.text.slice(0, start) + r.text + doc.text.slice(end);
    doc.isDirty = true;
  }
  mock.applied.push(edit as never);
  return true;
};

export class FakePanel {
  title = '';
  posted: unknown[] = [];
  private handler: ((m: unknown) => Promise<void>) | undefined;
  webview = {
    options: {},
    html: '',
    cspSource: 'vscode-webview://x',
    asWebviewUri: (u: { fsPath: string }) => ({ toString: () => `vscode-webview://x${u.fsPath}` }),
    postMessage: async (m: unknown) => {
      this.posted.push(m);
      return true;
    },
    onDidReceiveMessage: (h: (m: unknown) => Promise<void>) => {
      this.handler = h;
      return { dispose() {} };
    },
  };
  onDidDispose(): { dispose(): void } {
    return { dispose() {} };
  }
  /** The page posts a message; resolves when the host has handled it. */
  async send(message: unknown): Promise<void> {
    await this.handler!(message);
  }
  lastState(): PolicyState {
    const states = this.posted.filter((m) => (m as { type: string }).type === 'state');
    return (states.at(-1) as { state: PolicyState }).state;
  }
}

/** A model with what the form reads: where the global config is, Restricted Mode, and no workspaces. */
export function fakeModel(globalConfigFile: string, homeDir: string, restricted = false, workspaces: unknown[] = []) {
  return {
    globalConfigFile,
    homeDir,
    restricted,
    workspaces,
    onDidChange: () => ({ dispose() {} }),
  };
}

/**
 * A home whose ~/.aam/config.yaml is `global`, and a repository beside it without a `.aam` of its
 * own yet (the test makes it a folder, or a link); `model` is the form's model over that home.
 */
export async function formFolders(global: string) {
  const home = await tempDir('home-');
  const repo = await tempDir('repo-');
  mkdirSync(join(home, '.aam'));
  const globalFile = join(home, '.aam', 'config.yaml');
  writeFileSync(globalFile, global);
  return { home, repo, globalFile, model: fakeModel(globalFile, home) };
}

/** Opens `doc` in the policy form (PolicyEditorProvider.resolveCustomTextEditor) and sends `ready`. */
export async function openForm(model: unknown, doc: FakeDocument): Promise<FakePanel> {
  documents.push(doc);
  const { PolicyEditorProvider } = await import('../../src/extension/policy-editor.ts');
  const provider = new PolicyEditorProvider(mock.Uri.file('/ext') as never, model as never);
  const panel = new FakePanel();
  provider.resolveCustomTextEditor(doc as never, panel as never);
  await panel.send({ type: 'ready' });
  return panel;
}

export { mock };
