import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * A `registries:` entry the schema refuses was read as something its author did not write: `default: yes`
 * (the default for `aam`, which reads YAML 1.1) as not the default, so publish went to another registry; a
 * mistyped `key_id` as no pin at all. Commands refuse such a config, naming the entry, as they refuse a
 * broken `security:` section.
 */
describe('an invalid registries entry', () => {
  it('default: yes — publish refuses, naming it, and nothing is published to the first registry', async () => {
    const w = await makeWorld();
    const other = join(w.root, 'other');
    await LocalRegistry.create(other, { name: 'other' });
    await w.writeGlobalConfig('');
    await writeFile(
      join(w.home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: ${pathToFileURL(w.registryDir).href}\n  - name: other\n    url: ${pathToFileURL(other).href}\n    default: yes\n`,
    );
    const run = await cli(['publish', await w.makePackage('greet', '1.0.0')], { cwd: w.project, home: w.home });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /registries\[1\]\.default must be a boolean/);
    assert.match(run.stderr, /CONFIG_INVALID/);
    assert.deepEqual(await readdir(join(w.registryDir, 'packages')).catch(() => []), []);
  });

  it('a key_id that is not a key id — verify refuses rather than pin on first use', async () => {
    const w = await makeWorld();
    await writeFile(
      join(w.home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: https://registry.example\n    type: http\n    key_id: ${'a'.repeat(63)}\n`,
    );
    const run = await cli(['verify'], { cwd: w.project, home: w.home });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /registries\[0\]\.key_id must be the 64-hex-digit key id/);
  });
});
