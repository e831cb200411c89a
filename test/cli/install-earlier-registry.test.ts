import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * Install asks the registries listed before the default whether they have the package (aam would take it from
 * the first that has it) — only local ones, which are all aam reads. An HTTP registry a project lists first is
 * never contacted: it would learn the package's name, and a host that never answers held each install 90 s.
 */
it('install does not contact an HTTP registry the project lists before the default', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const w = await makeWorld();
    await w.writeGlobalConfig('');
    const { verifier } = await w.services();
    await publishPackage({
      packageDir: await w.makePackage('greet', '1.0.0'),
      registry: w.registry,
      verifier,
      signing: undefined,
    });
    const port = (server.address() as { port: number }).port;
    await w.writeProjectConfig(
      `registries:\n  - name: first\n    url: http://127.0.0.1:${port}\n    type: http\n  - name: team\n    url: ${pathToFileURL(w.registryDir).href}\n    type: local\n    default: true\n`,
    );
    const run = await cli(['install', 'greet', '--no-deploy'], { cwd: w.project, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(connections, 0);
  } finally {
    server.close();
  }
});
