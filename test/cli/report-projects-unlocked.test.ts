import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * A pull request that deletes a project's lock file and keeps what is installed: `verify` fails each
 * installed folder (NOT_LOCKED), and so must `report --projects GLOB` — the project is not left out of
 * the glob because the one file the attack removed is gone.
 */
describe('aam-trust report --projects: a project whose lock file is gone', () => {
  it('is matched and fails with its unvouched packages, beside a clean project', async () => {
    const root = await tempDir('aam-report-unlocked-');
    const home = join(root, 'home');
    await mkdir(home, { recursive: true });
    await mkdir(join(root, 'repos', 'clean', '.aam'), { recursive: true });
    await writeFile(join(root, 'repos', 'clean', '.aam', 'aam-lock.yaml'), 'lockfile_version: 1\npackages: {}\n');
    const installed = join(root, 'repos', 'unlocked', '.aam', 'packages', 'hello');
    await mkdir(installed, { recursive: true });
    await writeFile(join(installed, 'aam.yaml'), 'name: hello\nversion: 1.0.0\n');
    // A folder with a config of its own and nothing installed is no project to report.
    await mkdir(join(root, 'repos', 'config-only', '.aam'), { recursive: true });
    await writeFile(join(root, 'repos', 'config-only', '.aam', 'config.yaml'), 'security: {}\n');

    const verify = await cli(['verify', '--json', '--project', 'repos/unlocked'], { cwd: root, home });
    assert.equal(verify.code, 1);
    assert.equal(JSON.parse(verify.stdout).packages[0].code, 'NOT_LOCKED');

    const run = await cli(['report', '--projects', 'repos/*', '--json'], { cwd: root, home });
    assert.equal(run.code, 1, run.stdout);
    const json = JSON.parse(run.stdout);
    assert.deepEqual(json.scope.projects, ['repos/clean', 'repos/unlocked']);
    assert.equal(json.totals.notCompliant, 1);
    assert.deepEqual(
      json.rows.map((r: { name: string; where: string }) => `${r.where} ${r.name}`),
      ['repos/unlocked hello'],
    );

    const table = await cli(['report', '--projects', 'repos/unlocked'], { cwd: root, home });
    assert.equal(table.code, 1);
    assert.doesNotMatch(table.stdout, /Everything is compliant/);
  });
});
