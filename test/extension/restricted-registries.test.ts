import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { tempDir } from '../helpers/temp.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { workspacePaths } from '../../src/core/lockfile/paths.ts';

useVscodeMock();
const { findUpdates } = await import('../../src/extension/review-update.ts');

/**
 * A folder opened in VS Code's Restricted Mode names a registry of its own
 * (any URL, or a folder anywhere on disk): the editor does not contact it —
 * the registry is left out of the policy in effect, with a finding that says
 * so — while `--restricted` in CI, where the project's registries are where
 * its packages come from, keeps it; and a trusted workspace uses it.
 */
describe('a project registry in an untrusted workspace', () => {
  const requests: string[] = [];
  let server: Server;
  let home: string;
  let dir: string;
  before(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"no"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const root = await tempDir('aam-untrusted-registry-');
    home = join(root, 'home');
    dir = join(root, 'project');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(dir, '.aam'), { recursive: true });
    await writeFile(join(home, '.aam', 'config.yaml'), 'security:\n  require_signature: true\n');
    const port = (server.address() as { port: number }).port;
    await writeFile(
      join(dir, '.aam', 'config.yaml'),
      `registries:\n  - name: beacon\n    url: http://127.0.0.1:${port}/track/victim\n    type: http\n`,
    );
  });
  after(() => server?.close());

  const updatesWith = async (config: Awaited<ReturnType<typeof loadConfig>>, restricted: boolean) => {
    const model = {
      restricted,
      workspaces: [
        { id: `project:${dir}`, kind: 'project', paths: workspacePaths(dir), config, reports: [], verifying: false },
      ],
    };
    await findUpdates(model as never);
  };

  it('in Restricted Mode is left out, said in a finding, and never contacted', async () => {
    const config = await loadConfig({ homeDir: home, projectDir: dir, restricted: true, untrustedWorkspace: true });
    assert.deepEqual(
      config.registries.map((r) => r.name),
      [],
    );
    assert.equal(config.findings.length, 1);
    assert.equal(config.findings[0]!.kind, 'trusted-only');
    assert.match(config.findings[0]!.message, /names the registry "beacon".* not contacted/);
    requests.length = 0;
    await updatesWith(config, true);
    assert.deepEqual(requests, []);
  });

  it('with --restricted (CI) and in a trusted workspace, is used', async () => {
    for (const restricted of [true, false]) {
      const config = await loadConfig({ homeDir: home, projectDir: dir, restricted });
      assert.deepEqual(
        config.registries.map((r) => r.name),
        ['beacon'],
      );
      assert.deepEqual(config.findings, []);
      requests.length = 0;
      await updatesWith(config, false);
      assert.ok(
        requests.some((r) => r.startsWith('GET /track/victim/')),
        requests.join('\n'),
      );
    }
  });
});
