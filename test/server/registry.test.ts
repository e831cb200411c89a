import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import type { SignatureToStore } from '../../src/core/registry/registry.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/** The status of a GET sent with its path exactly as written. */
function rawStatus(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Packs a package made on the spot, with extra files to make its bytes differ. */
const pack = (name: string, version: string, files: Record<string, string> = {}) =>
  packPackage(name, version, { files });

async function gpgSignature(archive: Buffer): Promise<SignatureToStore> {
  const { privateKey, publicKey } = await generateKey({
    userIDs: [{ name: 'Release', email: 'release@example.com' }],
    format: 'object',
  });
  const bytes = await signDetached(archive, {
    key: privateKey,
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    userIds: privateKey.getUserIDs(),
  });
  return {
    type: 'gpg',
    bytes,
    record: { fingerprint: privateKey.getFingerprint().toUpperCase(), signed_at: undefined },
    publicKey: publicKey.armor(),
  };
}

/** The same API suite against each engine: PGlite always, a PostgreSQL server when it is installed. */
for (const engine of ENGINES) {
  describe(`the HTTP registry API on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let server: RunningRegistry;
    let dataDir: string;
    let alice: string;
    let bob: string;
    let aliceYankless: string;
    const client = (token?: string) => registry.client(token);

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'team' });
      server = registry.server;
      dataDir = registry.dataDir;
      alice = await registry.token('alice', ['publish', 'yank']);
      aliceYankless = await registry.token('alice', ['yank']);
      bob = await registry.token('bob', ['publish', 'yank']);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('keeps tokens only as their SHA-256', async () => {
      const { rows } = await server.db.query<Record<string, unknown>>('SELECT * FROM api_tokens');
      assert.equal(rows.length, 3);
      const stored = JSON.stringify(rows);
      for (const token of [alice, bob, aliceYankless]) {
        assert.ok(!stored.includes(token), 'the token itself is nowhere in the table');
        assert.ok(rows.some((r) => String(r.token_hash).trim() === createHash('sha256').update(token).digest('hex')));
      }
    });

    it('publishes, resolves and serves the exact bytes, with the package in search', async () => {
      const archive = await pack('@acme/hello', '1.0.0');
      const published = await client(alice).publish(archive, []);
      assert.equal(published.entry.version, '1.0.0');
      assert.equal(published.archivePath, `${server.url}/api/v1/packages/@acme/hello/1.0.0/download`);
      const { metadata, entry } = await client().resolve('@acme/hello');
      assert.equal(entry.version, '1.0.0');
      assert.equal(metadata.dist_tags.latest, '1.0.0');
      assert.deepEqual(await client().readArchive('@acme/hello', '1.0.0'), archive);
      assert.deepEqual(await client().readSignatures('@acme/hello', '1.0.0'), []);
      const search = (await (await fetch(`${server.url}/api/v1/packages?q=hello&type=prompt`)).json()) as {
        packages: { name: string; latest_version: string; artifact_types: string[] }[];
        total: number;
      };
      assert.equal(search.total, 1);
      assert.deepEqual(search.packages[0], {
        ...search.packages[0],
        name: '@acme/hello',
        latest_version: '1.0.0',
        artifact_types: ['prompt'],
      });
      const owners = ((await (await fetch(`${server.url}/api/v1/packages/@acme/hello`)).json()) as { owners: string[] })
        .owners;
      assert.deepEqual(owners, ['alice']);
    });

    it('refuses a version twice, a publish without a token, a token without the scope, and a non-owner', async () => {
      const archive = await pack('@acme/hello', '1.0.0', { 'prompts/other.md': 'other bytes' });
      await assert.rejects(client(alice).publish(archive, []), { code: 'VERSION_EXISTS' });
      const next = await pack('@acme/hello', '1.1.0');
      await assert.rejects(client(undefined).publish(next, []), { code: 'REGISTRY_AUTH' });
      await assert.rejects(client('aam_thisisnotatokenthisisnotatoken').publish(next, []), (error: Error) => {
        assert.equal((error as { code?: string }).code, 'REGISTRY_AUTH');
        assert.match(error.message, /HTTP 401 unauthorized/);
        return true;
      });
      await assert.rejects(
        client(aliceYankless).publish(next, []),
        /Registry "team" refused: the API token has no "publish" scope\./,
      );
      await assert.rejects(
        client(bob).publish(next, []),
        /Registry "team" refused: bob is not an owner of @acme\/hello\./,
      );
      // Nothing of the refused publishes is visible.
      assert.deepEqual(
        (await client().metadata('@acme/hello'))!.versions.map((v) => v.version),
        ['1.0.0'],
      );
      assert.deepEqual(
        await client().readArchive('@acme/hello', '1.0.0'),
        await client().readArchive('@acme/hello', '1.0.0'),
      );
    });

    it('stores a GPG signature with its version, after checking it over the uploaded bytes', async () => {
      const archive = await pack('@acme/signed', '1.0.0');
      const signature = await gpgSignature(archive);
      const published = await client(alice).publish(archive, [signature]);
      assert.equal(published.entry.signatures?.[0]?.fingerprint, signature.record.fingerprint);
      const [stored] = await client().readSignatures('@acme/signed', '1.0.0');
      assert.equal(stored?.type, 'gpg');
      assert.equal(stored?.file, '1.0.0.aam.asc');
      assert.deepEqual(stored?.bytes, signature.bytes);
      // A signature over other bytes is refused with the reason, and nothing is stored.
      const other = await pack('@acme/signed', '1.0.1');
      await assert.rejects(client(alice).publish(other, [signature]), (error: Error) => {
        assert.equal((error as { code?: string }).code, 'SIGNATURE_INVALID');
        assert.match(error.message, /does not verify over the uploaded archive/);
        return true;
      });
      await assert.rejects(
        client(alice).publish(other, [{ ...signature, publicKey: undefined }]),
        /needs its public key/,
      );
      assert.equal((await client().metadata('@acme/signed'))!.versions.length, 1);
    });

    it('with require_signatures, refuses an unsigned publish', async () => {
      await server.db.query(
        `INSERT INTO registry_settings (key, value) VALUES ('require_signatures', 'true') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
      try {
        assert.deepEqual(await client().settings(), { requireSignatures: true });
        const archive = await pack('@acme/strict', '1.0.0');
        await assert.rejects(client(alice).publish(archive, []), { code: 'SIGNATURE_REQUIRED' });
        assert.equal(await client().metadata('@acme/strict'), undefined);
        await client(alice).publish(archive, [await gpgSignature(archive)]);
        assert.equal((await client().resolve('@acme/strict')).entry.version, '1.0.0');
      } finally {
        await server.db.query(`DELETE FROM registry_settings WHERE key = 'require_signatures'`);
      }
    });

    it('yanks: latest and ranges skip the version, an exact install still gets it', async () => {
      await client(alice).publish(await pack('@acme/hello', '1.2.0'), []);
      assert.equal((await client().resolve('@acme/hello')).entry.version, '1.2.0');
      const yanked = await fetch(`${server.url}/api/v1/packages/@acme/hello/1.2.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${alice}` },
      });
      assert.equal(yanked.status, 200);
      assert.equal((await client().resolve('@acme/hello')).entry.version, '1.0.0');
      assert.equal((await client().resolve('@acme/hello', '^1.0.0')).entry.version, '1.0.0');
      assert.equal((await client().resolve('@acme/hello', '1.2.0')).entry.version, '1.2.0');
      assert.ok((await client().readArchive('@acme/hello', '1.2.0')).length > 0);
      const byBob = await fetch(`${server.url}/api/v1/packages/@acme/hello/1.0.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${bob}` },
      });
      assert.equal(byBob.status, 403);
    });

    it('sets and removes dist-tags, owners only', async () => {
      const put = (token: string, tag: string, version: string) =>
        fetch(`${server.url}/api/v1/packages/@acme/hello/tags/${tag}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ version }),
        });
      assert.equal((await put(alice, 'stable', '1.0.0')).status, 200);
      assert.equal((await put(bob, 'stable', '1.2.0')).status, 403);
      assert.equal((await put(alice, 'stable', '9.9.9')).status, 404);
      assert.equal((await client().resolve('@acme/hello', 'stable')).entry.version, '1.0.0');
      const tags = (await (await fetch(`${server.url}/api/v1/packages/@acme/hello/tags`)).json()) as {
        tags: Record<string, string>;
      };
      assert.deepEqual(tags.tags, { latest: '1.0.0', stable: '1.0.0' });
      const removed = await fetch(`${server.url}/api/v1/packages/@acme/hello/tags/stable`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${alice}` },
      });
      assert.equal(removed.status, 204);
    });

    it("answers hostile requests with the spec's JSON errors, touching nothing", async () => {
      const status = async (path: string, init?: RequestInit) => {
        const response = await fetch(`${server.url}${path}`, init);
        const body = (await response.json()) as { error: string; message: string };
        assert.equal(typeof body.message, 'string');
        return `${response.status} ${body.error}`;
      };
      assert.equal(await status('/api/v1/packages/unknown-thing'), '404 package_not_found');
      assert.equal(await status('/api/v1/packages/@acme/hello/7.7.7'), '404 version_not_found');
      assert.equal(await status(`/api/v1/packages/x';DROP TABLE packages;--`), '400 invalid_name');
      assert.equal(await status('/api/v1/packages/@acme/hello/1.0.0%2F..%2F..%2Fetc/download'), '400 bad_request');
      assert.equal(await status('/api/v1/packages/@acme/hello/1.0.0.0/download'), '400 invalid_version');
      // Sent as they are (fetch would normalize the dots away).
      for (const raw of [
        '/api/v1/packages/%2e%2e/hello',
        '/api/v1/packages/../../etc/passwd',
        '/api/v1/packages/@acme/hello/./1.0.0',
      ])
        assert.equal(await rawStatus(server.url, raw), 400, raw);
      assert.equal(await status('/api/v1/packages/@acme/hello/1.0.0/signature/..%2F..%2Fx'), '400 bad_request');
      assert.equal(await status('/api/v1/packages/%40acme%2Fhello'), '400 bad_request');
      assert.equal(await status('/api/v1/packages/%E0%A4%A'), '400 bad_request');
      for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
        const answer = await fetch(`${server.url}/api/v1/packages/@acme/hello`, { method });
        assert.equal(answer.status, 405, method);
        assert.equal(answer.headers.get('allow'), 'GET, HEAD', `${method}: a 405 names the methods there are`);
      }
      const form = new FormData();
      form.append('archive', new Blob([new Uint8Array(await pack('@acme/extra', '1.0.0'))]), 'a.aam');
      form.append('sneaky', new Blob(['x']), 'x');
      assert.equal(
        await status('/api/v1/packages', {
          method: 'POST',
          body: form,
          headers: { authorization: `Bearer ${alice}` },
        }),
        '400 bad_request',
      );
      const notAnArchive = new FormData();
      notAnArchive.append('archive', new Blob(['not gzip at all']), 'a.aam');
      assert.equal(
        await status('/api/v1/packages', {
          method: 'POST',
          body: notAnArchive,
          headers: { authorization: `Bearer ${alice}` },
        }),
        '400 invalid_archive',
      );
      // Over the 50 MB archive limit: refused by its declared size, before it is read.
      const huge = new FormData();
      huge.append('archive', new Blob([new Uint8Array(51 * 1024 * 1024)]), 'a.aam');
      assert.equal(
        await status('/api/v1/packages', {
          method: 'POST',
          body: huge,
          headers: { authorization: `Bearer ${alice}` },
        }),
        '413 too_large',
      );
      assert.equal(await client().metadata('@acme/extra'), undefined);
      // SQL in a search is a search for that text.
      const search = (await (
        await fetch(`${server.url}/api/v1/packages?q=${encodeURIComponent("' OR 1=1 --")}`)
      ).json()) as { total: number };
      assert.equal(search.total, 0);
    });

    it('never serves a blob that is not what its version row says', async () => {
      const archive = await pack('@acme/blob', '1.0.0');
      await client(alice).publish(archive, []);
      const root = join(dataDir, 'blobs');
      // The blobs' folders (.tmp/ is where they are written before being renamed into place).
      const [a] = (await readdir(root)).filter((name) => name !== '.tmp');
      const [b] = await readdir(join(root, a!));
      // Overwrite every blob file under this prefix with other bytes of the same length.
      for (const name of await readdir(join(root, a!, b!)))
        await writeFile(join(root, a!, b!, name), Buffer.alloc(archive.length, 1));
      const downloads = async () =>
        Promise.all(
          (await client().list()).flatMap((m) =>
            m.versions.map(async (v) => {
              const response = await fetch(`${server.url}/api/v1/packages/${m.name}/${v.version}/download`);
              const body = Buffer.from(await response.arrayBuffer());
              const right = sha256Hex(body) === v.checksum.replace(/^sha256:/, '');
              return { status: response.status, right, text: right ? '' : body.toString() };
            }),
          ),
        );
      // An instance serves archives it has already read (and checked) from memory: those stay right.
      for (const answer of await downloads()) assert.ok(answer.status === 500 || answer.right, JSON.stringify(answer));
      // One that reads them from the store now refuses every corrupted one.
      await registry.restart();
      server = registry.server;
      const broken = (await downloads()).filter((a) => a.status !== 200);
      assert.ok(broken.length >= 1, 'the corrupted blob is refused (500 archive_unavailable)');
      assert.ok(broken.every((a) => a.status === 500));
      // The operator learns which of the two happened: the bytes changed (they are there, with another hash).
      for (const { text } of broken)
        assert.match(text, /in the blob store has changed: its SHA-256 is [0-9a-f]{64}, not the [0-9a-f]{64} it was/);
    });
  });
}
