/**
 * Activation cost of the built extension outside VS Code: `dist/extension.js`
 * is required with a stand-in `vscode` module and `activate()` is called; the
 * time until it returns is the extension's own. Run as its own process (a
 * fresh module cache): node bench/activation.ts [bundle].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVscodeStub, stub } from './vscode-stub.ts';

installVscodeStub();
// The extension host has loaded these long before any extension activates: preloading them leaves the extension's own time.
for (const builtin of [
  'node:crypto',
  'node:fs',
  'node:fs/promises',
  'node:os',
  'node:path',
  'node:url',
  'node:stream',
  'node:worker_threads',
])
  createRequire(import.meta.url)(builtin);
const storage = mkdtempSync(join(tmpdir(), 'aam-activation-'));
const context = {
  subscriptions: [],
  secrets: stub('secrets'),
  // Memento: what the registry status reads at start-up (the accounts signed in to).
  globalState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  extensionUri: stub('uri'),
  globalStorageUri: { fsPath: storage },
  storageUri: undefined,
  extension: { packageJSON: { version: '0.0.0' } },
};
const require = createRequire(import.meta.url);
const t0 = performance.now();
const extension = require(process.argv[2] ?? join(import.meta.dirname, '..', 'dist', 'extension.js')) as {
  activate(context: unknown): unknown;
};
const t1 = performance.now();
extension.activate(context);
const t2 = performance.now();
// What activation pulled in beyond the start-up bundle (the features bundle must wait for first use).
const loaded = Object.keys(require.cache).filter((path) => /features\.js|verify-worker\.js/.test(path));
process.stdout.write(
  `${JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, loadedDuringActivation: loaded })}\n`,
);
rmSync(storage, { recursive: true, force: true });
process.exit(0);
