import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "AAM Trust" log output channel. Secrets never go here. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('AAM Trust', { log: true });
  return channel;
}
