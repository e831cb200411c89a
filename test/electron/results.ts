import type { DemoWorld } from '../../demo/world.ts';
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * How the in-editor suites report back. The suite runs in an extension host
 * the runner does not own (code-server's, or a desktop VS Code's), so each
 * mocha event is appended as one JSON line to the file named by
 * AAM_TEST_RESULTS, synchronously, before the next test starts: a crash
 * leaves every result up to it, and only a finished run has an `end` line.
 */
export type ResultLine =
  | { event: 'start'; vscode: string; node: string; app: string }
  | { event: 'pass'; title: string; duration: number }
  | { event: 'fail'; title: string; error: string }
  | { event: 'pending'; title: string }
  | { event: 'end'; passes: number; failures: number; pending: number; duration: number };

export function writeResult(file: string, line: ResultLine): void {
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

export async function readResults(file: string): Promise<ResultLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  // Only whole lines: the last one may be half written while the suite runs.
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as ResultLine);
}

/** Prints each result as the suite writes it, until stopped (which prints what is left). */
export function followResults(file: string, print: (line: ResultLine) => void): { stop(): Promise<void> } {
  let printed = 0;
  const flush = async () => {
    const lines = await readResults(file);
    for (const line of lines.slice(printed)) print(line);
    printed = lines.length;
  };
  let reading = Promise.resolve();
  const timer = setInterval(() => (reading = reading.then(flush)), 250);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      await flush();
    },
  };
}

/** One line per result, as a reporter would print it. */
export function describeResult(line: ResultLine): string {
  switch (line.event) {
    case 'start':
      return `  VS Code ${line.vscode} (${line.app}), extension host on Node ${line.node}`;
    case 'pass':
      return `  ✔ ${line.title} (${line.duration} ms)`;
    case 'fail':
      return `  ✘ ${line.title}\n${line.error.replace(/^/gm, '      ')}`;
    case 'pending':
      return `  - ${line.title} (skipped)`;
    case 'end':
      return `  ${line.passes} passing, ${line.failures} failing, ${line.pending} skipped (${(line.duration / 1000).toFixed(1)} s)`;
  }
}

/**
 * What a finished run says: why it failed, or how many passed. A run without
 * an `end` line crashed or hung; a skipped test, or none at all, is a failure
 * too — a suite that runs nothing proves nothing.
 */
export function verdictOf(lines: ResultLine[]): { ok: true; passes: number } | { ok: false; reason: string } {
  const end = lines.find((l) => l.event === 'end');
  const failed = lines.filter((l) => l.event === 'fail').length;
  const pending = lines.filter((l) => l.event === 'pending').length;
  const passed = lines.filter((l) => l.event === 'pass').length;
  if (failed > 0) return { ok: false, reason: `${failed} failing` };
  if (!end) return { ok: false, reason: `the suite did not finish (${passed} passed before it stopped)` };
  if (pending > 0) return { ok: false, reason: `${pending} skipped: a skipped in-editor test is a defect` };
  if (end.passes === 0) return { ok: false, reason: 'no test ran' };
  if (end.passes !== passed) return { ok: false, reason: `${end.passes} reported passing, ${passed} recorded` };
  return { ok: true, passes: end.passes };
}

/** One run of the suites in one editor: what a launcher needs. */
export interface SuiteRun {
  world: DemoWorld;
  /** The extension under development (this repository) and the bundled suite. */
  extension: string;
  suite: string;
  /** For the extension host: where the suite writes its results, and the world it runs against. */
  env: Record<string, string>;
  outputDir: string;
  timeoutMs: number;
}
