import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { glob, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publishPrompt, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';

interface Row {
  name: string;
  version: string;
  status: string;
  method: string;
  signer?: string;
  compliant: boolean;
}
interface Report {
  rows: Row[];
  unchecked: { where: string; what: string; status: string; reason: string; next: string }[];
  totals: {
    notCompliant: number;
    notChecked: number;
    bySigner: { signer: string; count: number }[];
    byMethod: { method: string; count: number }[];
  };
}

/**
 * What the registry report could not check is never counted as compliant nor
 * as unsigned: an audit log that does not verify fails the report (with the
 * next step), and a signed version whose archive arrives changed, or cannot
 * be fetched, counts as "not checked", not as "(not signed)".
 */
describe('aam-trust report --registry: what could not be checked', () => {
  const local = useLocalSigstore();
  let registry: TestRegistry;
  let proxy: Server;
  let proxyUrl: string;
  let token: string;
  let trustedRoot: string;
  // A mirror on the way to the registry that changes the bytes of one archive.
  const TAMPERED = '/api/v1/packages/@acme/tool/1.1.0/download';
  let tamper = false;

  const writeConfig = () =>
    writeFile(
      join(registry.home, '.aam', 'config.yaml'),
      `registries:\n  - name: corp\n    url: ${proxyUrl}\n    type: http\n    default: true\nsecurity:\n  sigstore_trusted_root: ${trustedRoot}\n  trusted_identities: ["*@example.com"]\n`,
    );
  const publish = (name: string, version: string, signer?: string) =>
    publishPrompt(registry, token, local, { name, version, signer });
  const report = async (...args: string[]) => {
    const run = await registry.run(['report', '--registry', 'corp', ...args]);
    return { ...run, json: args.includes('--json') ? (JSON.parse(run.stdout) as Report) : undefined };
  };

  before(async () => {
    trustedRoot = join(await tempDir('aam-report-root-'), 'trusted_root.json');
    await writeFile(trustedRoot, JSON.stringify(local.instance().trustedRoot()));
    registry = await startTestRegistry({ name: 'corp', trustedRoot });
    proxy = createServer((request, response) => {
      void (async () => {
        const upstream = await fetch(new URL(request.url!, registry.url), {
          method: request.method,
          headers: Object.fromEntries(
            Object.entries(request.headers).filter(
              (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host' && e[0] !== 'connection',
            ),
          ),
        });
        let body = Buffer.from(await upstream.arrayBuffer());
        if (tamper && request.url === TAMPERED && upstream.ok) body = Buffer.concat([body, Buffer.from('tampered')]);
        const headers = Object.fromEntries(
          [...upstream.headers].filter(
            ([k]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(k),
          ),
        );
        response.writeHead(upstream.status, { ...headers, 'content-length': body.length });
        response.end(body);
      })().catch((error: unknown) => {
        response.writeHead(502);
        response.end(String(error));
      });
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const address = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    token = await registry.token('alice', ['publish', 'yank']);
    await writeConfig();
    await publish('@acme/tool', '1.0.0', 'alice@example.com');
    await publish('@acme/tool', '1.1.0', 'alice@example.com');
    await publish('@acme/tool', '1.2.0', 'alice@example.com');
    await publish('@acme/notes', '1.0.0');
  });
  after(async () => {
    await new Promise((done) => proxy?.close(done));
    await registry?.close();
  });

  it('an audit log that does not verify: "not checked", with the next step, and the report fails', async () => {
    const identity = await registry.client().identity();
    // This project remembers a longer log than the registry now serves: the log was rewritten.
    await writeFile(
      join(registry.project, '.aam', 'trust-record.yaml'),
      `record_version: 1\npackages: {}\nregistries:\n  corp:\n    name: corp\n    key_id: ${identity.key_id}\n    public_key: ${JSON.stringify(identity.public_key)}\n    audit_size: 999\n    audit_head: ${'a'.repeat(64)}\n    recorded_at: '2026-12-01T00:00:00.000Z'\n`,
    );
    try {
      const { code, json } = await report('--json');
      assert.equal(json!.totals.notCompliant, 0, 'every version passes');
      assert.equal(code, 1, 'what could not be checked is not compliant');
      assert.equal(json!.totals.notChecked, 1);
      assert.deepEqual(
        json!.unchecked.map((u) => [u.where, u.what, u.status]),
        [['registry "corp"', 'registry audit log', 'not checked']],
      );
      assert.match(json!.unchecked[0]!.reason, /does not extend the one seen before/);
      assert.match(json!.unchecked[0]!.next, /report it to its operator/);

      const table = await report();
      assert.equal(table.code, 1);
      assert.doesNotMatch(table.stdout, /Everything is compliant/);
      assert.match(
        table.stdout,
        /^ {2}\d+ compliant, \d+ not compliant, the audit log of registry "corp" not checked$/m,
      );
      assert.match(
        table.stdout,
        /⚠ The audit log of registry "corp" does not verify: .*\n {4}Next: The registry changed/,
      );

      const csv = await report('--format', 'csv');
      assert.equal(csv.code, 1);
      assert.match(csv.stdout, /\r\n"registry ""corp""",,,registry audit log,not checked,false,fail,not checked,/);
      assert.match(csv.stderr, /✗ The audit log of registry "corp" does not verify: .*\n {2}Next: /);
    } finally {
      await rm(join(registry.project, '.aam', 'trust-record.yaml'));
    }
    // The control: the same registry, its log verified, passes.
    const { code, stdout } = await report();
    assert.equal(code, 0, stdout);
    assert.match(stdout, /\nEverything is compliant\.\n$/);
  });

  it('a signed version whose archive arrives changed, or cannot be fetched, is "not checked", not unsigned', async () => {
    // The blob of 1.2.0 is lost on the registry's disk: the server refuses to serve it.
    const [entry] = (await registry.client().metadata('@acme/tool'))!.versions.filter((v) => v.version === '1.2.0');
    const hex = entry!.checksum.replace(/^sha256:/, '');
    for await (const blob of glob(`**/${hex}`, { cwd: join(registry.dataDir, 'blobs') }))
      await rm(join(registry.dataDir, 'blobs', blob));
    await registry.restart();
    tamper = true;

    const { code, json } = await report('--json');
    assert.equal(code, 1);
    const shown = json!.rows.map((r) => `${r.name}@${r.version} ${r.status} ${r.method} ${r.signer ?? '-'}`).sort();
    assert.deepEqual(shown, [
      '@acme/notes@1.0.0 unsigned none -',
      '@acme/tool@1.0.0 verified sigstore alice@example.com',
      '@acme/tool@1.1.0 tampered not checked -',
      '@acme/tool@1.2.0 unavailable not checked -',
    ]);
    assert.deepEqual(json!.totals.byMethod, [
      { method: 'not checked', count: 2 },
      { method: 'none', count: 1 },
      { method: 'sigstore', count: 1 },
    ]);
    assert.deepEqual(json!.totals.bySigner, [
      { signer: '(not checked)', count: 2 },
      { signer: '(not signed)', count: 1 },
      { signer: 'alice@example.com', count: 1 },
    ]);
  });
});
