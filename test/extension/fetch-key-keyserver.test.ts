import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { useVscodeMock } from '../helpers/vscode-mock.ts';

useVscodeMock();
const { fetchKey } = await import('../../src/extension/fetch-key.ts');

const FINGERPRINT = 'A'.repeat(40);

/**
 * "Fetch key …" of a signature asks the keyserver of the project the
 * signature belongs to: in a window of several projects, each may name its
 * own, and a key asked for from one project's row must not be looked up at
 * another project's keyserver. Asked from the command palette, the global
 * config's keyserver.
 */
describe('Fetch key asks the keyserver of the project that asked', () => {
  const asked: string[] = [];
  const servers: Server[] = [];
  const origins: string[] = [];
  before(async () => {
    for (const name of ['first', 'second', 'global']) {
      const server = createServer((_req, res) => {
        asked.push(name);
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      origins.push(`hkp://127.0.0.1:${(server.address() as { port: number }).port}`);
    }
  });
  after(() => servers.forEach((s) => s.close()));

  const workspace = (kind: string, root: string, keyserver: string) => ({
    id: `${kind}:${root}`,
    kind,
    paths: { lockFile: `${root}/.aam/aam-lock.yaml` },
    config: { security: { keyserver } },
  });
  const model = () => ({
    homeDir: '/nonexistent',
    workspaces: [
      workspace('project', '/work/first', origins[0]!),
      workspace('project', '/work/second', origins[1]!),
      workspace('global', '/home/u', origins[2]!),
    ],
  });

  it("asks the second project's keyserver for its row's key, and the global one from the palette", async () => {
    asked.length = 0;
    await fetchKey(model() as never, { key: FINGERPRINT, lockFile: '/work/second/.aam/aam-lock.yaml' });
    assert.deepEqual(asked, ['second']);
    asked.length = 0;
    await fetchKey(model() as never, { key: FINGERPRINT });
    assert.deepEqual(asked, ['global']);
  });
});
