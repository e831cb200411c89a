import { after, before, describe, it } from 'node:test';
import { MANIFEST, makeTarGz } from '../helpers/tar.ts';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { publishRequest, send } from '../helpers/raw-http.ts';
import { snapshotRegistry } from '../helpers/snapshot.ts';

/** Sends a request exactly as written (headers twice, say), and returns its status and error body. */
function raw(
  url: string,
  method: string,
  path: string,
  headers: [string, string][],
  body = '',
): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path, method }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve([res.statusCode ?? 0, text]));
    });
    req.on('error', reject);
    for (const [name, value] of headers) req.appendHeader(name, value);
    req.end(body);
  });
}

/**
 * Authorize, then validate, then store (#25): a refused request — not the
 * owner, a version that exists, a token of the wrong kind, a request that
 * says one thing twice, a value that normalises to another — changes
 * nothing: the database and the blob store are compared before and after.
 */
for (const engine of ENGINES)
  describe(`refused requests leave no trace, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let alice: string;
    let bob: string;
    let readOnly: string;
    let session: string;
    const form = (parts: [string, Buffer | string, string?][]) => {
      const body = new FormData();
      for (const [name, value, file] of parts)
        if (file) body.append(name, new Blob([new Uint8Array(Buffer.from(value))]), file);
        else body.append(name, String(value));
      return body;
    };
    const publishForm = async (token: string, body: FormData) => {
      const response = await fetch(`${registry.url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      return [response.status, ((await response.json()) as { error: string; message: string }).message] as const;
    };
    /** Runs `refused`, asserts it was refused, and that the database and the blobs are exactly as before. */
    const snapshot = () => snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
    const unchanged = async (what: string, refused: () => Promise<unknown>) => {
      const before = await snapshot();
      await refused();
      const after = await snapshot();
      assert.deepEqual(after.blobs, before.blobs, `${what}: the blob store changed`);
      assert.equal(after.dump, before.dump, `${what}: the database's dump changed`);
      for (const table of Object.keys(before.tables))
        assert.equal(after.tables[table], before.tables[table], `${what}: table ${table} changed`);
    };

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'corp' });
      // `admin`: alice also sets her package's owners (spec §6.2.2).
      alice = await registry.token('alice', ['publish', 'yank', 'admin']);
      bob = await registry.token('bob');
      readOnly = await registry.token('alice', ['read']);
      await fetch(`${registry.url}/api/v1/users/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'carol', email: 'carol@example.org', password: 'a long passphrase' }),
      });
      session = (
        (await (
          await fetch(`${registry.url}/api/v1/users/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'carol', password: 'a long passphrase' }),
          })
        ).json()) as { token: string }
      ).token;
      await registry.client(alice).publish(await packPackage('@acme/base', '1.0.0+build1'), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('refuses a publish by someone who is not the owner, before its archive is stored', async () => {
      const archive = await packPackage('@acme/base', '2.0.0', { body: 'a new archive, stored nowhere\n' });
      await unchanged('not the owner', () =>
        assert.rejects(
          registry.client(bob).publish(archive, []),
          /Registry "corp" refused: bob is not an owner of @acme\/base\./,
        ),
      );
    });

    it('refuses a version that exists, also when only its build metadata differs (SemVer precedence)', async () => {
      const same = await packPackage('@acme/base', '1.0.0+build1', { body: 'other bytes\n' });
      const build2 = await packPackage('@acme/base', '1.0.0+build2', { body: 'other bytes\n' });
      await unchanged('version exists', async () => {
        await assert.rejects(registry.client(alice).publish(same, []), { code: 'VERSION_EXISTS' });
        await assert.rejects(
          registry.client(alice).publish(build2, []),
          /already exists as 1\.0\.0\+build1 \(build metadata does not make another version\)/,
        );
      });
    });

    it('refuses a token of the wrong kind or without the scope, before reading the body', async () => {
      const archive = await packPackage('@carol/tool', '1.0.0', { body: 'carol\n' });
      await unchanged('wrong token', async () => {
        await assert.rejects(
          registry.client(session).publish(archive, []),
          /A session token \(from a login\) cannot publish/,
        );
        await assert.rejects(registry.client(readOnly).publish(archive, []), /the API token has no "publish" scope/);
        await assert.rejects(registry.client('aam_notatokennotatokennotatoken').publish(archive, []), /HTTP 401/);
      });
    });

    it('refuses a signature over other bytes, and an upload over the limit, storing nothing', async () => {
      const archive = await packPackage('@acme/signed', '1.0.0', { body: 'signed\n' });
      const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: 'r@example.org' }], format: 'object' });
      const signature = await signDetached(Buffer.from('other bytes'), {
        key: privateKey,
        fingerprint: privateKey.getFingerprint(),
        userIds: [],
      });
      await unchanged('bad signature', async () => {
        const [status, message] = await publishForm(
          alice,
          form([
            ['archive', archive, 'a.aam'],
            ['signature', signature, 'a.aam.asc'],
            ['signature_type', 'gpg'],
            ['public_key', publicKey.armor()],
          ]),
        );
        assert.equal(status, 400);
        assert.match(message, /does not verify over the uploaded archive/);
        // A raw connection: fetch, starved of CPU on a loaded machine, could miss the answer while still writing.
        const { head, body } = publishRequest(alice, Buffer.alloc(51 * 1024 * 1024));
        const tooLarge = await send(registry.url, head, body);
        assert.equal(tooLarge.error, undefined);
        assert.match(tooLarge.answer, /^HTTP\/1\.1 413 /);
      });
    });

    it('refuses a part, a JSON key or a header sent twice, naming it', async () => {
      const archive = await packPackage('@acme/twice', '1.0.0', { body: 'twice\n' });
      await unchanged('twice', async () => {
        const [a, am] = await publishForm(
          alice,
          form([
            ['archive', archive, 'a.aam'],
            ['archive', await packPackage('@acme/twice', '1.0.1'), 'b.aam'],
          ]),
        );
        assert.deepEqual([a, am], [400, 'The file "archive" was sent twice.']);
        const [t, tm] = await publishForm(
          alice,
          form([
            ['archive', archive, 'a.aam'],
            ['signature_type', 'gpg'],
            ['signature_type', 'sigstore'],
          ]),
        );
        assert.equal(t, 400);
        assert.match(tm, /"signature_type" was sent twice|Too many fields|fields/i);
        const tag = await fetch(`${registry.url}/api/v1/packages/@acme/base/tags/stable`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          body: '{"version": "1.0.0+build1", "version": "9.9.9"}',
        });
        assert.equal(tag.status, 400);
        assert.match(((await tag.json()) as { message: string }).message, /names "version" twice/);
        const escaped = await fetch(`${registry.url}/api/v1/packages/@acme/base/owners`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          body: '{"owners": ["bob"], "\\u006fwners": ["alice"]}',
        });
        assert.equal(escaped.status, 400, 'keys are compared decoded');
        const query = await fetch(`${registry.url}/api/v1/packages?page=1&page=2`);
        assert.equal(query.status, 400);
        assert.match(((await query.json()) as { message: string }).message, /querystring\/page must be integer/);
        const [status, body] = await raw(
          registry.url,
          'PUT',
          '/api/v1/packages/@acme/base/tags/stable',
          [
            ['authorization', `Bearer ${bob}`],
            ['authorization', `Bearer ${alice}`],
            ['content-type', 'application/json'],
          ],
          JSON.stringify({ version: '1.0.0+build1' }),
        );
        assert.equal(status, 400);
        assert.match(body, /The authorization header was sent twice/);
      });
    });

    it('refuses values that normalise to another, or that only the database would refuse, with a 4xx', async () => {
      await unchanged('normalising', async () => {
        const owners = await fetch(`${registry.url}/api/v1/packages/@acme/base/owners`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ owners: ['alice', 'bob', 'bob'] }),
        });
        assert.equal(owners.status, 400);
        assert.match(
          ((await owners.json()) as { message: string }).message,
          /body\/owners must NOT have duplicate items/,
        );
        const cases: [string, string, Record<string, string>, RegExp][] = [
          ['@acme/odd', '1.0.0-01', {}, /"1\.0\.0-01" is not a SemVer 2\.0\.0 version/],
          ['@acme/odd', `1.0.0-${'a'.repeat(70)}`, {}, /version is longer than 64 characters/],
          ['@acme/odd', '1.0.0', { manifest: `author: "${'x'.repeat(300)}"\n` }, /author is longer than 255/],
          [
            '@acme/odd',
            '1.0.0',
            { manifest: 'keywords: [Agents, agents]\n' },
            /name "Agents" and "agents", which are one keyword/,
          ],
          // PostgreSQL's text holds no NUL: refused as what it is, not a 500 (nor a failed batch for others).
          ['@acme/odd', '1.0.0', { description: '"a\\0b"' }, /description holds a NUL character/],
        ];
        for (const [name, version, options, message] of cases)
          await assert.rejects(
            registry.client(alice).publish(await packPackage(name, version, options), []),
            (error: Error) => {
              assert.match(error.message, /HTTP 400 invalid_manifest/);
              assert.match(error.message, message);
              return true;
            },
          );
        // Above 2^53 a number is not exact (2^53 + 1 and 2^53 would compare equal); packing refuses it, so does the server.
        const huge = await makeTarGz([
          {
            name: 'aam.yaml',
            content: MANIFEST.replace('@demo/hello', '@acme/odd').replace('1.0.0', '9007199254740993.0.0'),
          },
          { name: 'prompts/hello.md', content: 'Hello\n' },
        ]);
        const [status, message] = await publishForm(alice, form([['archive', huge, '9007199254740993.0.0.aam']]));
        assert.equal(status, 400);
        assert.match(
          message,
          /"version" "9007199254740993\.0\.0" must be MAJOR\.MINOR\.PATCH, each number at most 9007199254740991/,
        );
      });
    });
  });
