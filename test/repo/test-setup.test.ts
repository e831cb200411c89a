import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const SERVER_TESTS = join(import.meta.dirname, '..', 'server');

/** The server tests that start a registry by hand, each saying why at its setup. */
const BY_HAND = ['backup.test.ts', 'crash.test.ts', 'transport.test.ts'];
const REASON = 'By hand, not test/helpers/registry.ts:';

describe('the setup of the server tests', () => {
  it('starts registries and makes tokens through test/helpers/registry.ts, except where a test says why', async () => {
    const direct: string[] = [];
    for (const file of (await readdir(SERVER_TESTS)).filter((f) => f.endsWith('.ts')).sort()) {
      const text = await readFile(join(SERVER_TESTS, file), 'utf8');
      if (!/\b(startRegistryServer|createToken)\(/.test(text)) continue;
      direct.push(file);
      if (BY_HAND.includes(file)) assert.ok(text.includes(REASON), `${file} does not say why (“${REASON} …”)`);
    }
    assert.deepEqual(direct, BY_HAND, 'use startTestRegistry, registry.token, registry.secondInstance …');
  });
});
