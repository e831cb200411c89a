import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentFiles, agentPlatformOf, displayPath } from '../../../src/core/deploy/surface.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('what agents load here', () => {
  it('lists every file each platform loads, AAM-deployed or not, and nothing else', async () => {
    const root = await tempDir('aam-surface-');
    const roots = { project: join(root, 'p'), home: join(root, 'h') };
    const files = [
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
    ];
    for (const file of files) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), 'x\n');
    }
    assert.deepEqual(
      (await agentFiles(roots)).map((f) => `${f.platform} ${displayPath(f.path, roots)}`),
      [
        'cursor .cursor/rules/style.mdc',
        'cursor .cursor/skills/x/SKILL.md',
        'cursor .cursorrules',
        'claude CLAUDE.md',
        'claude .claude/commands/deploy.md',
        'copilot .github/copilot-instructions.md',
        'codex AGENTS.md',
        'codex ~/.codex/prompts/p.md',
      ],
    );
    assert.equal(agentPlatformOf(join(roots.project, '.github', 'agents', 'a.agent.md'), roots), 'copilot');
    assert.equal(agentPlatformOf(join(roots.project, 'README.md'), roots), undefined);
    assert.equal(agentPlatformOf(join(roots.project, '.cursor', 'rulesx'), roots), undefined);
  });
});
