import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';

/** `aam-trust constructor` threw a TypeError from Node's exit (the command table's prototype was taken for a command). */
describe('command names', () => {
  const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
  it('the CLI takes none of them for a command', async () => {
    for (const n of NAMES) {
      let err = '';
      const code = await runCli([n], {
        stdout: () => undefined,
        stderr: (t) => void (err += t),
        env: {},
        cwd: '/',
        homeDir: '/nonexistent',
        color: false,
        askSecret: async () => undefined,
        openUrl: async () => undefined,
      });
      assert.equal(code, 2, n);
      assert.ok(err.includes(`unknown command "${n}"`), err);
    }
  });
});
