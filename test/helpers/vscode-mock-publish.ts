/**
 * The vscode stand-in (vscode-mock.ts) plus what Publish Signed touches
 * besides: progress notifications and opening a URL. Call
 * useVscodePublishMock() before importing src/extension/publish-signed.ts.
 */
import { registerHooks } from 'node:module';

export * from './vscode-mock.ts';
export const ProgressLocation = { Notification: 15, Window: 10, SourceControl: 1 };
export const env = { openExternal: async () => true };

export function useVscodePublishMock(): void {
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === 'vscode' ? { url: import.meta.url, shortCircuit: true } : next(specifier, context),
  });
}
