import * as vscode from 'vscode';
import type { Range as YamlRange } from '../core/yaml/source.ts';

/** A range in a YAML source as the editor's range. */
export function toRange(range: YamlRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
