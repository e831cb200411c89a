import Mocha from 'mocha';
import * as vscode from 'vscode';
import { writeResult } from '../results.ts';
import { activationTests } from './activation.test.ts';
import { commandTests } from './commands.test.ts';
import { configTests } from './config.test.ts';
import { hiddenContentTests } from './hidden-content.test.ts';
import { lockFileTests } from './lock-file.test.ts';
import { verificationViewTests } from './verification-view.test.ts';
import { workflowTests } from './workflow.test.ts';

/**
 * The entry point VS Code loads into the extension host under test (code-server's, or a desktop
 * VS Code's through @vscode/test-electron): it runs the suites, and resolves only when all pass.
 * Suites that only read come first; those that change the world put it back.
 */
export function run(): Promise<void> {
  const results = process.env.AAM_TEST_RESULTS;
  if (!results) return Promise.reject(new Error('AAM_TEST_RESULTS names no file for the results'));
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    forbidOnly: true,
    forbidPending: true,
    reporter: reporterWritingTo(results),
  });
  // The suites are bundled with this file, not loaded by mocha: they register through its BDD globals.
  mocha.suite.emit('pre-require', globalThis, 'in-editor suites', mocha);
  for (const register of [
    activationTests,
    verificationViewTests,
    lockFileTests,
    configTests,
    commandTests,
    hiddenContentTests,
    workflowTests,
  ])
    register();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-editor test(s) failed`)) : resolve()));
  });
}

function reporterWritingTo(file: string): typeof Mocha.reporters.Base {
  const { EVENT_RUN_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } =
    Mocha.Runner.constants;
  return class ResultsReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      const started = Date.now();
      runner.once(EVENT_RUN_BEGIN, () =>
        writeResult(file, {
          event: 'start',
          vscode: vscode.version,
          node: process.version,
          app: `${vscode.env.appName}, ${vscode.env.appHost}`,
        }),
      );
      runner.on(EVENT_TEST_PASS, (test) =>
        writeResult(file, { event: 'pass', title: test.fullTitle(), duration: test.duration ?? 0 }),
      );
      runner.on(EVENT_TEST_FAIL, (test, error: Error) =>
        writeResult(file, {
          event: 'fail',
          title: test.fullTitle(),
          error: String(error.stack ?? error).slice(0, 4000),
        }),
      );
      runner.on(EVENT_TEST_PENDING, (test) => writeResult(file, { event: 'pending', title: test.fullTitle() }));
      runner.once(EVENT_RUN_END, () =>
        writeResult(file, {
          event: 'end',
          passes: this.stats.passes,
          failures: this.stats.failures,
          pending: this.stats.pending,
          duration: Date.now() - started,
        }),
      );
    }
  };
}
