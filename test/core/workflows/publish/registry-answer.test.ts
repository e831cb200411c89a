import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { isAamError } from '../../../../src/core/errors.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import type { Registry } from '../../../../src/core/registry/registry.ts';
import type { VersionEntry } from '../../../../src/core/registry/metadata.ts';
import { cli } from '../../../helpers/cli.ts';
import { tempDir } from '../../../helpers/temp.ts';
import { makeWorld } from '../../../helpers/workspace.ts';

const OTHER = 'ab'.repeat(32);
const MALLORY = { type: 'sigstore' as const, identity: 'mallory@evil.example', issuer: 'https://evil.example' };

/** A registry folder whose answer to a publish is changed by `edit` (what it stored stays what was sent). */
function answering(registry: Registry, edit: (entry: VersionEntry) => VersionEntry): Registry {
  return Object.assign(Object.create(registry) as Registry, {
    publish: async (...args: Parameters<Registry['publish']>) => {
      const result = await registry.publish(...args);
      return { ...result, entry: edit(result.entry) };
    },
  });
}

async function publishWith(edit: (entry: VersionEntry) => VersionEntry) {
  const w = await makeWorld();
  const { verifier } = await w.services();
  const { privateKey } = await generateKey({ userIDs: [{ email: 'me@example.com' }], format: 'armored' });
  const keyFile = join(w.root, 'me.asc');
  await writeFile(keyFile, privateKey);
  return publishPackage({
    packageDir: await w.makePackage('greet', '1.0.0'),
    registry: answering(w.registry, edit),
    verifier,
    signing: { method: 'gpg', keySource: { kind: 'file', path: keyFile }, prompt: async () => undefined },
  });
}

describe('publish: the registry answer is checked against what was signed and sent', () => {
  it('reports the signer signed and verified here, with the checksum of the bytes sent', async () => {
    const outcome = await publishWith((entry) => entry);
    assert.equal(outcome.signatures.length, 1);
    assert.equal(outcome.signatures[0]!.type, 'gpg');
    assert.match(outcome.signatures[0]!.identity ?? '', /me@example\.com/);
    assert.match(outcome.signatures[0]!.fingerprint ?? '', /^[0-9a-f]{40,64}$/i);
    assert.equal(outcome.signatures[0]!.file, '1.0.0.aam.asc');
  });

  it("reports the signer signed here when the answer lists no signatures (the spec's answer has no list)", async () => {
    const outcome = await publishWith((entry) => ({ ...entry, signatures: undefined }));
    assert.deepEqual(
      outcome.signatures.map((s) => [s.type, s.file]),
      [['gpg', '1.0.0.aam.asc']],
    );
  });

  it('fails with REGISTRY_ERROR when the answer names an archive with another checksum', async () => {
    await assert.rejects(
      publishWith((entry) => ({ ...entry, checksum: `sha256:${OTHER}` })),
      (error: unknown) =>
        isAamError(error) &&
        error.code === 'REGISTRY_ERROR' &&
        /did not store what was signed and sent/.test(error.message) &&
        error.actual === `sha256:${OTHER}`,
    );
  });

  it('fails with REGISTRY_ERROR when the answer lists a signature that was not sent', async () => {
    await assert.rejects(
      publishWith((entry) => ({
        ...entry,
        signatures: [
          ...(entry.signatures ?? []),
          { ...MALLORY, signed_at: undefined, file: '1.0.0.aam.sigstore.json' },
        ],
      })),
      (error: unknown) =>
        isAamError(error) && error.code === 'REGISTRY_ERROR' && /mallory@evil\.example/.test(error.message),
    );
  });

  it('fails when the answer swaps the signer for another key', async () => {
    await assert.rejects(
      publishWith((entry) => ({
        ...entry,
        signatures: (entry.signatures ?? []).map((s) => ({ ...s, fingerprint: 'f'.repeat(40) })),
      })),
      (error: unknown) => isAamError(error) && error.code === 'REGISTRY_ERROR',
    );
  });
});

/** An HTTP registry that answers every publish with another archive's checksum and a signer never sent. */
async function lyingRegistry(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/api/v1/registry') return res.end('{"require_signatures":false}');
      if (req.method === 'GET') {
        res.statusCode = 404;
        return res.end('{"error":"not_found","message":"no"}');
      }
      res.statusCode = 201;
      res.end(
        JSON.stringify({
          version: '1.0.0',
          checksum: { sha256: OTHER },
          archive_size: 10,
          published_at: '2026-01-01T00:00:00Z',
          signatures: [MALLORY],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('aam-trust publish to an HTTP registry that stored something else', () => {
  let reg: Awaited<ReturnType<typeof lyingRegistry>>;
  before(async () => {
    reg = await lyingRegistry();
  });
  after(() => reg.server.close());

  it('fails, naming the checksum the registry answered with', async () => {
    const root = await tempDir('lying-reg-');
    const home = join(root, 'home');
    const pkg = join(root, 'pkg');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(pkg, 'prompts'), { recursive: true });
    await writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: corp\n    url: ${reg.url}\n    type: http\n    default: true\n`,
    );
    await writeFile(
      join(pkg, 'aam.yaml'),
      'name: greet\nversion: 1.0.0\ndescription: Greets\nartifacts:\n  prompts:\n    - name: hi\n      path: prompts/hi.md\n      description: Hi\n',
    );
    await writeFile(join(pkg, 'prompts', 'hi.md'), 'Hello.\n');
    const run = await cli(['publish', '.', '--json'], { cwd: pkg, home, env: { AAM_REGISTRY_TOKEN: 't' } });
    assert.notEqual(run.code, 0, `published "successfully": ${run.stdout}`);
    assert.match(run.stderr, /Registry "corp" says it stored an archive other than the one sent/);
    assert.ok(run.stderr.includes(OTHER), run.stderr);
  });
});
