import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertProjectConfigWritable } from '../../src/core/config/project-write.ts';
import { isAamError } from '../../src/core/errors.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const GLOBAL = '# mine\nsecurity:\n  require_signature: true\n  on_signature_failure: error\n';

/**
 * A repository can commit `.aam` as a symbolic link to the user's ~/.aam. A write meant for the
 * project's config (a policy level, a trusted signer, a revert) must then be refused: it would
 * change the user's global policy.
 */
describe('a project whose .aam is a link', () => {
  async function world() {
    const root = await tempDir('aam-project-link-');
    const home = join(root, 'home');
    const project = join(root, 'project');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(project);
    await writeFile(join(home, '.aam', 'config.yaml'), GLOBAL);
    await symlink(join(home, '.aam'), join(project, '.aam'));
    return { home, project, global: join(home, '.aam', 'config.yaml') };
  }

  it('policy level --in project refuses to write, and the global policy is unchanged', async () => {
    const w = await world();
    const r = await cli(['policy', 'level', 'minimal', '--in', 'project', '--yes'], { cwd: w.project, home: w.home });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(
      r.stderr,
      /\.aam is a symbolic link to .*home\/\.aam: a write meant for this project's config would change your global policy\. Nothing was written\./,
    );
    assert.equal(await readFile(w.global, 'utf8'), GLOBAL);
  });

  it('is refused for any project write, and so is a .aam that is the global config folder', async () => {
    const w = await world();
    await assert.rejects(assertProjectConfigWritable(w.project, w.global), (e) => isAamError(e, 'CONFIG_INVALID'));
    const other = await tempDir('aam-project-real-');
    await mkdir(join(other, '.aam'));
    await assertProjectConfigWritable(other, w.global);
    await assertProjectConfigWritable(await tempDir('aam-project-none-'), w.global);
    await assert.rejects(
      assertProjectConfigWritable(other, join(other, '.aam', 'settings.yaml')),
      (e) => isAamError(e, 'CONFIG_INVALID') && /is the folder of your global config/.test(e.message),
    );
  });
});
