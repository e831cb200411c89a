import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * A registry that answers for its packages but drops every connection to
 * its audit log (say, after forking it) does not pass verification with a
 * notice: its log could not be checked in a run it answered, and that is a
 * failing finding, as any other answer the log cannot be checked by is.
 */
describe('an audit log withheld by a registry that answers otherwise', () => {
  let registry: TestRegistry;
  let proxy: Server;
  let dropLog = false;
  const asked: string[] = [];
  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    const token = await registry.token('alice', ['publish']);
    await registry.client(token).publish(await packPackage('@acme/tool', '1.0.0'), []);
    proxy = createServer(async (req, res) => {
      const path = req.url ?? '/';
      asked.push(path);
      if (dropLog && path.startsWith('/api/v1/audit-log')) return void req.socket.destroy();
      const upstream = await fetch(`${registry.url}${path}`, { method: req.method ?? 'GET' });
      const headers: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) headers[k] = v;
      });
      res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    await writeFile(
      join(registry.home, '.aam', 'config.yaml'),
      `registries:\n  - name: corp\n    url: ${url}\n    type: http\n    default: true\n`,
    );
    assert.equal((await registry.run(['install', '@acme/tool', '--no-deploy'])).code, 0);
  });
  after(async () => {
    proxy?.close();
    await registry?.close();
  });

  const verify = async () => {
    const run = await cli(['verify', '--json', '--no-cache'], { cwd: registry.project, home: registry.home });
    const report = JSON.parse(run.stdout) as { packages: { findings: { code: string; message: string }[] }[] };
    return { code: run.code, findings: report.packages.flatMap((p) => p.findings) };
  };

  it('passes while the log answers', async () => {
    dropLog = false;
    const v = await verify();
    assert.equal(v.code, 0, JSON.stringify(v.findings));
  });

  it('fails, naming the registry, when only its log drops the connection', async () => {
    dropLog = true;
    asked.length = 0;
    const v = await verify();
    assert.equal(v.code, 1);
    const log = v.findings.find((f) => f.code === 'REGISTRY_LOG');
    assert.match(
      log?.message ?? '',
      /audit log of registry "corp" could not be checked, although it answered for its packages in this run/,
    );
    assert.ok(
      asked.some((p) => p.includes('/packages/')),
      'the same registry answered the sync',
    );
  });
});
