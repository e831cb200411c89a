import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startCodeServer } from '../../scripts/code-server.ts';
import { CODE_SERVER_VERSION, ensureChromium } from '../../scripts/tools.ts';
import type { SuiteRun } from './results.ts';

export const CODE_SERVER_LABEL = `code-server ${CODE_SERVER_VERSION}`;

/**
 * Runs the suite in code-server's Node extension host, the way VS Code's own
 * web integration tests run theirs: the workbench page is opened with a
 * `payload` naming the extension under development and the tests module;
 * once the extensions are registered the workbench asks the (remote)
 * extension host to run the tests, and hands the exit code to
 * `window.codeAutomationExit`, which the page exposes to this process.
 * Resolves with that exit code; rejects when the page, code-server or the
 * time runs out first.
 */
export async function runInCodeServer(run: SuiteRun): Promise<number> {
  // startCodeServer also links this repository in as an installed extension; the development
  // copy named in the payload (the same folder) takes its place, as in VS Code's own runs.
  const server = await startCodeServer({
    folder: run.world.workspace,
    home: run.world.home,
    trusted: true,
    // A built workbench honours the payload's extensionDevelopmentPath and extensionTestsPath
    // only with the smoke-test driver enabled (resolveExtensionHostDebugEnvironment); code-server
    // passes VS Code server options through from VSCODE_OPTIONS.
    env: { ...run.env, VSCODE_OPTIONS: 'enable-smoke-test-driver' },
  });
  const browser = await chromium.launch({
    executablePath: await ensureChromium(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  // What the workbench logs (the extension host's console included): shown when the run fails.
  const log: string[] = [];
  try {
    const page = await browser.newPage();
    let timer: NodeJS.Timeout | undefined;
    const exit = new Promise<number>((resolve, reject) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        log.push(`[${type}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
        log.splice(0, log.length - 60);
      });
      page.once('crash', () => reject(new Error('The workbench page crashed')));
      server.process.once('exit', (code) => reject(new Error(`code-server exited (${code}) before the suite ended`)));
      timer = setTimeout(
        () => reject(new Error(`The suite did not end within ${run.timeoutMs / 1000} s`)),
        run.timeoutMs,
      );
    });
    const remote = (path: string) => `vscode-remote://${new URL(server.url).host}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(run.extension)],
      ['extensionTestsPath', remote(run.suite)],
      ['skipWelcome', 'true'],
    ]);
    try {
      await page.goto(`${server.folderUrl}&payload=${encodeURIComponent(payload)}`);
      return await exit;
    } catch (error) {
      const screenshot = join(run.outputDir, 'code-server-failure.png');
      await page.screenshot({ path: screenshot }).catch(() => undefined);
      throw new Error(
        `${error instanceof Error ? error.message : String(error)} (screenshot: ${screenshot})\n` +
          `The workbench's last log lines:\n${log.join('\n')}\n` +
          `code-server's output:\n${server.output().slice(-3000)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
