import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  agentFiles,
  agentPlatformsOf,
  agentSurface,
  displayPath,
  SURFACE_LIMITS,
} from '../../../src/core/deploy/surface.ts';
import type { DeployRoots } from '../../../src/core/deploy/platforms.ts';
import { tempDir } from '../../helpers/temp.ts';

async function world(files: string[]): Promise<{ root: string; roots: DeployRoots }> {
  const root = await tempDir('aam-surface-');
  for (const file of files) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), 'x\n');
  }
  return { root, roots: { project: join(root, 'p'), home: join(root, 'h') } };
}

const listed = (files: { platform: string; path: string }[], roots: DeployRoots) =>
  files.map((f) => `${f.platform} ${displayPath(f.path, roots)}`);

describe('what agents load here', () => {
  it('lists every file each platform loads, AAM-deployed or not, and nothing else', async () => {
    const { roots } = await world([
      'p/.cursor/rules/style.mdc',
      'p/.cursorrules',
      'p/.cursor/skills/x/SKILL.md',
      'p/CLAUDE.md',
      'p/.claude/commands/deploy.md',
      'p/.github/copilot-instructions.md',
      'p/AGENTS.md',
      'h/.codex/prompts/p.md',
      'p/README.md',
      'p/.github/workflows/ci.yml',
      'p/.cursor/skills/.x.aam-1234/SKILL.md',
    ]);
    assert.deepEqual(listed(await agentFiles(roots), roots), [
      'cursor .cursor/rules/style.mdc',
      'cursor .cursor/skills/x/SKILL.md',
      'cursor .cursorrules',
      'cursor AGENTS.md',
      'claude .claude/commands/deploy.md',
      'claude CLAUDE.md',
      'copilot .github/copilot-instructions.md',
      'copilot AGENTS.md',
      'codex AGENTS.md',
      'codex ~/.codex/prompts/p.md',
    ]);
    const platforms = (...parts: string[]) => agentPlatformsOf(join(roots.project, ...parts), roots);
    assert.deepEqual(platforms('.github', 'agents', 'a.agent.md'), ['copilot']);
    assert.deepEqual(platforms('README.md'), []);
    assert.deepEqual(platforms('.cursor', 'rulesx'), []);
  });

  it('lists the nested CLAUDE.md, AGENTS.md and .cursor/rules of sub-folders, for each platform that reads them', async () => {
    const { roots } = await world([
      'p/packages/api/CLAUDE.md',
      'p/packages/api/CLAUDE.local.md',
      'p/packages/api/AGENTS.md',
      'p/packages/api/AGENTS.override.md',
      'p/packages/web/.cursor/rules/react.mdc',
      'p/packages/web/.cursor/rules/deep/forms.md',
      'p/packages/web/src/components/AGENTS.md',
      'p/packages/web/claude.md.bak',
      'p/packages/web/.cursor/other/x.md',
      'p/docs/CLAUDE.md.txt',
    ]);
    assert.deepEqual(listed(await agentFiles(roots), roots), [
      'cursor packages/api/AGENTS.md',
      'cursor packages/web/.cursor/rules/deep/forms.md',
      'cursor packages/web/.cursor/rules/react.mdc',
      'cursor packages/web/src/components/AGENTS.md',
      'claude packages/api/CLAUDE.local.md',
      'claude packages/api/CLAUDE.md',
      'copilot packages/api/AGENTS.md',
      'copilot packages/web/src/components/AGENTS.md',
      'codex packages/api/AGENTS.md',
      'codex packages/api/AGENTS.override.md',
      'codex packages/web/src/components/AGENTS.md',
    ]);
    // The editor's scan decides from the path alone, and agrees with the listing.
    const platforms = (...parts: string[]) => agentPlatformsOf(join(roots.project, ...parts), roots);
    assert.deepEqual(platforms('packages', 'api', 'CLAUDE.md'), ['claude']);
    assert.deepEqual(platforms('packages', 'web', 'src', 'components', 'AGENTS.md'), ['cursor', 'copilot', 'codex']);
    assert.deepEqual(platforms('packages', 'web', '.cursor', 'rules', 'deep', 'forms.md'), ['cursor']);
    assert.deepEqual(platforms('packages', 'web', '.cursor', 'other', 'x.md'), []);
    assert.deepEqual(platforms('packages', 'web', 'claude.md.bak'), []);
  });

  it('skips dependency, version-control and AAM folders, in the listing and in the path check alike', async () => {
    const { roots } = await world([
      'p/node_modules/left-pad/CLAUDE.md',
      'p/node_modules/left-pad/.cursor/rules/x.mdc',
      'p/app/node_modules/dep/AGENTS.md',
      'p/.git/AGENTS.md',
      'p/.aam/packages/x/AGENTS.md',
      'p/.venv/lib/CLAUDE.md',
      'p/app/CLAUDE.md',
    ]);
    assert.deepEqual(listed(await agentFiles(roots), roots), ['claude app/CLAUDE.md']);
    for (const path of ['node_modules/left-pad/CLAUDE.md', 'app/node_modules/dep/AGENTS.md', '.git/AGENTS.md'])
      assert.deepEqual(agentPlatformsOf(join(roots.project, path), roots), [], path);
  });

  it('follows no link out of the project: linked folders are not entered, a linked file only if it stays inside', async () => {
    const { root, roots } = await world(['outside/CLAUDE.md', 'outside/rules/x.mdc', 'p/docs/guide.md', 'p/lib/x.ts']);
    await symlink(join(root, 'outside'), join(roots.project, 'linked'));
    await symlink(join(root, 'outside', 'CLAUDE.md'), join(roots.project, 'lib', 'CLAUDE.md'));
    await symlink(join(roots.project, 'docs', 'guide.md'), join(roots.project, 'docs', 'AGENTS.md'));
    await mkdir(join(roots.project, '.cursor'));
    await symlink(join(root, 'outside', 'rules'), join(roots.project, '.cursor', 'rules'));
    await mkdir(join(roots.project, '.claude'));
    await symlink(join(root, 'outside', 'rules'), join(roots.project, '.claude', 'agents'));
    assert.deepEqual(listed(await agentFiles(roots), roots), [
      'cursor docs/AGENTS.md',
      'copilot docs/AGENTS.md',
      'codex docs/AGENTS.md',
    ]);
  });

  // deployed-review F4: a linked .cursor/rules inside the project hid every rule Cursor loads through it.
  it('enters a linked folder that resolves inside the project, as agents load through it', async () => {
    const { roots } = await world(['p/rules-src/always.mdc', 'p/docs/notes/CLAUDE.md']);
    await mkdir(join(roots.project, '.cursor'));
    await symlink(join(roots.project, 'rules-src'), join(roots.project, '.cursor', 'rules'));
    await symlink(join(roots.project, 'docs'), join(roots.project, 'handbook'));
    assert.deepEqual(listed(await agentFiles(roots), roots), [
      'cursor .cursor/rules/always.mdc',
      'claude docs/notes/CLAUDE.md',
      'claude handbook/notes/CLAUDE.md',
    ]);
  });

  it('goes as deep as its stated limit, and says which limit stopped it', async () => {
    const deep = (n: number) => `p/${Array.from({ length: n }, (_, i) => `d${i}`).join('/')}/CLAUDE.md`;
    const { roots } = await world([deep(SURFACE_LIMITS.depth), deep(SURFACE_LIMITS.depth + 1)]);
    const surface = await agentSurface(roots);
    assert.deepEqual(listed(surface.files, roots), [`claude ${deep(SURFACE_LIMITS.depth).slice(2)}`]);
    assert.equal(surface.stopped, 'depth');
    assert.deepEqual(agentPlatformsOf(join(roots.project, deep(SURFACE_LIMITS.depth).slice(2)), roots), ['claude']);
    assert.deepEqual(agentPlatformsOf(join(roots.project, deep(SURFACE_LIMITS.depth + 1).slice(2)), roots), []);

    const wide = await world(Array.from({ length: 40 }, (_, i) => `p/f${String(i).padStart(2, '0')}/CLAUDE.md`));
    const few = await agentSurface(wide.roots, { ...SURFACE_LIMITS, folders: 17 });
    assert.equal(few.stopped, 'folders');
    assert.equal(few.files.length, 16, 'the root and 16 folders read within the limit, and no more');
    const capped = await agentSurface(wide.roots, { ...SURFACE_LIMITS, files: 10 });
    assert.equal(capped.stopped, 'files');
    assert.deepEqual(
      listed(capped.files, wide.roots),
      Array.from({ length: 10 }, (_, i) => `claude f0${i}/CLAUDE.md`),
    );
    assert.equal((await agentSurface(wide.roots)).stopped, undefined);
  });
});
