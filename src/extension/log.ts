import * as vscode from 'vscode';

/** Shared by the extension's bundles (the start-up part and the features loaded after it). */
const CHANNEL = Symbol.for('aam-trust.log');

/** The "AAM Trust" log output channel. Secrets never go here. */
export function log(): vscode.LogOutputChannel {
  const shared = globalThis as { [CHANNEL]?: vscode.LogOutputChannel };
  shared[CHANNEL] ??= vscode.window.createOutputChannel('AAM Trust', { log: true });
  return shared[CHANNEL];
}
