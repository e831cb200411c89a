import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { mergeConfigFiles } from '../core/config/load.ts';
import type { ConfigFileState, LoadedConfig } from '../core/config/load.ts';
import { validateConfigText } from '../core/config/validate.ts';
import type { TrustModel } from './model.ts';

/** A config file as the editor has it: its text as typed, merged with the other layer as open or on disk. */
export interface LivePolicy {
  layer: 'global' | 'project';
  validation: ReturnType<typeof validateConfigText>;
  config: LoadedConfig;
}

/**
 * The policy a config document means right now, saved or not: the form and
 * the hovers show what is being typed, never only the last saved value.
 */
export async function livePolicy(model: TrustModel, document: vscode.TextDocument): Promise<LivePolicy> {
  const file = document.uri.fsPath;
  const layer = file === model.globalConfigFile ? 'global' : 'project';
  const validation = validateConfigText(document.getText());
  const files: ConfigFileState[] = [
    layer === 'global' ? fromValidation('global', file, validation) : await fromEditorOrDisk(model.globalConfigFile),
  ];
  if (layer === 'project') files.push(fromValidation('project', file, validation));
  return {
    layer,
    validation,
    config: mergeConfigFiles(
      files,
      model.restricted && layer === 'project',
      model.homeDir,
      model.restricted && layer === 'project',
    ),
  };
}

function fromValidation(
  layer: 'global' | 'project',
  path: string,
  validation: ReturnType<typeof validateConfigText>,
): ConfigFileState {
  return { layer, path, exists: true, diagnostics: validation.diagnostics, value: validation.value };
}

async function fromEditorOrDisk(path: string): Promise<ConfigFileState> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path);
  const text = open?.getText() ?? (await readFile(path, 'utf8').catch(() => undefined));
  if (text === undefined) return { layer: 'global', path, exists: false, diagnostics: [], value: undefined };
  return fromValidation('global', path, validateConfigText(text));
}
