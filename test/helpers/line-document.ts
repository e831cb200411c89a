import { readFile, writeFile } from 'node:fs/promises';
import { applied, Position } from './vscode-mock.ts';

/**
 * A text document over a file, for commands that edit a config through VS Code (editAndSave): positions count
 * characters on line 0, so an edit's range is its offsets; save() writes the last applied edit to the file at
 * the document's path, following links on the way, as VS Code does.
 */
export async function lineDocument(uri: { fsPath: string }) {
  const text = await readFile(uri.fsPath, 'utf8');
  return {
    uri,
    getText: () => text,
    positionAt: (offset: number) => new Position(0, offset),
    save: async () => {
      const edit = applied.at(-1)!.replacements[0]!;
      await writeFile(
        uri.fsPath,
        text.slice(0, edit.range.start.character) + edit.text + text.slice(edit.range.end.character),
      );
      return true;
    },
  };
}
