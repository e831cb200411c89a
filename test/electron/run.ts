import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LocalSigstore } from '../../dev/local-sigstore/instance.ts';
import { buildDemoWorld } from '../../demo/world.ts';
import type { SuiteRun } from './results.ts';
import { stopGnupgAtExit, tempDir } from '../helpers/temp.ts';
import { CODE_SERVER_LABEL, runInCodeServer } from './code-server.ts';
import { desktopVsCode, runInDesktop } from './desktop.ts';
import { describeResult, followResults, readResults, verdictOf } from './results.ts';

const REPO = join(import.meta.dirname, '..', '..');
// Inside the extension's folder: the bundle resolves mocha from its node_modules, and VS Code
// runs it in the extension host of the extension under development.
const OUTPUT = join(REPO, 'test-output', 'electron');

/**
 * Runs the mocha suites of test/electron/suite inside a real VS Code's
 * extension host: code-server's on every machine (scripts/tools.ts installs
 * it), then a desktop VS Code's through @vscode/test-electron wherever there
 * is one (VSCODE_EXECUTABLE, @vscode/test-electron's cache, or a download)
 * and a display for it; where there is not, one line says why. Any failure,
 * skip, crash or timeout of a run that starts fails the whole.
 */
async function main(): Promise<boolean> {
  await access(join(REPO, 'dist', 'extension.js')).catch(() => {
    throw new Error('dist/extension.js is missing: run `npm run build` first (npm test does).');
  });
  await rm(OUTPUT, { recursive: true, force: true });
  await mkdir(OUTPUT, { recursive: true });
  const suite = join(OUTPUT, 'suite.cjs');
  await build({
    entryPoints: [join(REPO, 'test/electron/suite/index.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    absWorkingDir: REPO,
    logLevel: 'warning',
  });
  let ok = await runIn(CODE_SERVER_LABEL, runInCodeServer, suite);
  const desktop = await desktopVsCode(REPO, OUTPUT);
  if ('unavailable' in desktop)
    console.log(`in-editor suites: a run in a desktop VS Code was not possible: ${desktop.unavailable}`);
  else
    ok =
      (await runIn(
        `a desktop VS Code (@vscode/test-electron, ${desktop.from})`,
        (run) => runInDesktop(run, desktop.executable),
        suite,
      )) && ok;
  return ok;
}

/** One run of the suite in one editor, against a demo world of its own. */
async function runIn(label: string, start: (run: SuiteRun) => Promise<number>, suite: string): Promise<boolean> {
  const started = Date.now();
  console.log(`in-editor suites: starting in ${label}`);
  const sigstore = await LocalSigstore.start();
  const world = await buildDemoWorld(join(await tempDir('aam-in-editor-'), 'demo'), sigstore, { checkResponses: true });
  stopGnupgAtExit(world.gnupgHome);
  // Named for this process: an extension host left over from a killed run cannot write into it.
  const results = join(OUTPUT, `${label.split(' ')[0]}-${process.pid}.results.jsonl`);
  const follow = followResults(results, (line) => console.log(describeResult(line)));
  let exitCode: number | undefined;
  let error: unknown;
  try {
    exitCode = await start({
      world,
      extension: REPO,
      suite,
      env: {
        AAM_TEST_RESULTS: results,
        AAM_TEST_WORLD: JSON.stringify({ workspace: world.workspace, home: world.home, expected: world.expected }),
      },
      outputDir: OUTPUT,
      timeoutMs: Number(process.env.AAM_IN_EDITOR_TIMEOUT_MS ?? 600_000),
    });
  } catch (caught) {
    error = caught;
  } finally {
    await follow.stop();
    await world.stop();
    await sigstore.close();
  }
  const lines = await readResults(results);
  const verdict = verdictOf(lines);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const begun = lines.find((l) => l.event === 'start');
  const where = `${label}${begun?.event === 'start' ? ` (VS Code ${begun.vscode})` : ''}`;
  if (verdict.ok && exitCode === 0 && !error) {
    console.log(`in-editor suites: ${verdict.passes} passing in ${where}, ${seconds} s`);
    return true;
  }
  const why = [
    verdict.ok ? undefined : verdict.reason,
    exitCode !== undefined && exitCode !== 0 ? `the extension host ended with exit code ${exitCode}` : undefined,
    error instanceof Error ? error.message : error !== undefined ? String(error) : undefined,
  ].filter(Boolean);
  console.error(`in-editor suites: FAILED in ${where}, ${seconds} s: ${why.join('; ')}`);
  return false;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
