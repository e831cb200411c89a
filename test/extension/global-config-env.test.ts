import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useVscodePublishMock } from '../helpers/vscode-mock-publish.ts';
import { tempDir } from '../helpers/temp.ts';
import { loadConfig } from '../../src/core/config/load.ts';

useVscodePublishMock();
const { loadPolicy } = await import('../../src/extension/workspace-discovery.ts');

/** The extension reads the global config where the CLI does: $AAM_CONFIG when it is set, else ~/.aam/config.yaml. */
describe('the global config in VS Code', () => {
  it('is $AAM_CONFIG when set, as for the CLI', async () => {
    const home = await tempDir('aam-config-env-');
    await mkdir(join(home, '.aam'), { recursive: true });
    await writeFile(join(home, '.aam', 'config.yaml'), 'security:\n  trusted_identities: ["home@example.com"]\n');
    const elsewhere = join(home, 'elsewhere.yaml');
    await writeFile(elsewhere, 'security:\n  trusted_identities: ["env@example.com"]\n');
    const engine = { loadConfig, blockingDiagnostics: () => [], formatDiagnostic: () => '' };
    const trusted = async () => {
      const workspace = { kind: 'global', paths: { root: home } } as never as {
        config?: Awaited<ReturnType<typeof loadConfig>>;
      };
      await loadPolicy(workspace as never, engine as never, { homeDir: home, restricted: false } as never);
      return workspace.config?.security.trusted_identities;
    };
    const before = process.env.AAM_CONFIG;
    try {
      delete process.env.AAM_CONFIG;
      assert.deepEqual(await trusted(), ['home@example.com']);
      process.env.AAM_CONFIG = elsewhere;
      assert.deepEqual(await trusted(), ['env@example.com']);
    } finally {
      if (before === undefined) delete process.env.AAM_CONFIG;
      else process.env.AAM_CONFIG = before;
    }
  });
});
