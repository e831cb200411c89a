import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkDeployment } from '../../../src/core/verify/checks/check-deployed.ts';
import { markers } from '../../../src/core/deploy/transform.ts';
import { nameGroupKey } from '../../../src/core/scan/name-groups.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * A section's evidence is its file and the names beside it that are its name on macOS and Windows, not the
 * folder that holds them: the project root's stamp made every file an editor saves there re-check every
 * package with a section (diff4-review F8), and a lower-case twin's stamp alone missed `Claude.md`
 * (verify2-review F3).
 */
it("a section's evidence is the shared file and the names that are its name, not the project's folder", async () => {
  const project = await tempDir('aam-section-evidence-');
  const home = await tempDir('aam-section-home-');
  const manifest =
    'name: rules\nversion: 1.0.0\ndescription: Rules\nartifacts:\n  instructions:\n    - name: style\n      path: instructions/style.md\n      description: Style rules\n';
  const files = new Map([['instructions/style.md', new TextEncoder().encode('Use short sentences.\n')]]);
  const { begin, end } = markers('style', 'instruction');
  await writeFile(join(project, 'CLAUDE.md'), `${begin}\nUse short sentences.\n${end}\n`);
  const stamps: Record<string, string | null> = {};
  checkDeployment('rules', manifest, files, { roots: { project, home }, expected: ['claude'] }, stamps);
  assert.ok(!(project in stamps), Object.keys(stamps).join(', '));
  assert.ok(join(project, 'CLAUDE.md') in stamps);
  assert.equal(stamps[nameGroupKey(join(project, 'CLAUDE.md'))], 'CLAUDE.md');
});
