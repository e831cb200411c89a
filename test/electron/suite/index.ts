import Mocha from 'mocha';
import { extensionSuite } from './extension.test.ts';

/** The entry point @vscode/test-electron loads inside the extension host. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  extensionSuite(mocha.suite);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
