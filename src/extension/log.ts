import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/**
 * The "AAM Trust" log output channel. Secrets never go here. The start-up
 * bundle creates it; the features bundle is handed the same channel when it
 * starts (each bundle has its own copy of this module).
 */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('AAM Trust', { log: true });
  return channel;
}

/** Makes this bundle's `log()` the channel another bundle created. */
export function useLogChannel(shared: vscode.LogOutputChannel): void {
  channel = shared;
}
