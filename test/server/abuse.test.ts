import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { editDistance, likeness } from '../../src/core/model/similar-names.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { snapshotRegistry } from '../helpers/snapshot.ts';

describe('names that pass for others', () => {
  it('measures edits, swaps of neighbours included', () => {
    assert.equal(editDistance('markdown-lint', 'markdown-lnit'), 1);
    assert.equal(editDistance('lodash', 'lodahs'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('kitten', 'sitting', 1), 2, 'stops as soon as it is over the bound');
  });

  it('finds look-alike characters, separators, another scope and a few edits', () => {
    assert.deepEqual(likeness('rnarkdown-lint', 'markdown-lint')?.how, 'confusable');
    assert.deepEqual(likeness('markdown-1int', 'markdown-lint')?.how, 'confusable');
    assert.deepEqual(likeness('@evil/markdown-lint', 'markdown-lint')?.how, 'other-scope');
    assert.deepEqual(likeness('markdown-lnt', 'markdown-lint'), {
      resembles: 'markdown-lint',
      how: 'edit',
      distance: 1,
      confirmable: true,
    });
    assert.equal(likeness('code-review', 'markdown-lint'), undefined);
    // Short names are a few edits from everything: only an exact look-alike counts there.
    assert.equal(likeness('ab', 'ac'), undefined);
  });
});

for (const engine of ENGINES)
  describe(`scopes, reserved names and typosquatting (spec §9.4), on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    const tokens: Record<string, string> = {};

    /** A publish as `user`, with the extra form fields given (confirm_name), over real HTTP. */
    const publish = async (user: string, name: string, version = '1.0.0', fields: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('archive', new Blob([new Uint8Array(await packPackage(name, version))]), 'a.aam');
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      const response = await fetch(`${registry.url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[user]}` },
        body: form,
      });
      const body = (await response.json()) as { error?: string; message?: string; details?: { resembles?: string } };
      return { status: response.status, ...body };
    };
    const snapshot = () => snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
    /** Refused with `status` and `error`, and the database and blob store exactly as they were. */
    const refused = async <T extends { status: number; error?: string; message?: string }>(
      attempt: () => Promise<T>,
      status: number,
      error: string,
    ) => {
      const before = await snapshot();
      const answer = await attempt();
      assert.deepEqual([answer.status, answer.error], [status, error], answer.message);
      assert.deepEqual(await snapshot(), before, 'a refused publish changed the registry');
      return answer;
    };

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'corp' });
      // `admin`: owners of a scope add its members (spec §6.2.2, managing owners).
      for (const user of ['alice', 'bob', 'carol'])
        tokens[user] = await registry.token(user, ['publish', 'yank', 'admin']);
      tokens.operator = await registry.token('operator', ['operator']);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('refuses reserved names and scopes, but for the operator', async () => {
      await refused(() => publish('bob', 'aam'), 403, 'name_reserved');
      await refused(() => publish('bob', 'admin'), 403, 'name_reserved');
      const scope = await refused(() => publish('bob', '@npm/tool'), 403, 'name_reserved');
      assert.match(scope.message!, /The scope @npm is reserved/);
      assert.equal((await publish('operator', 'registry')).status, 201);
    });

    it('gives a scope to its first publisher; others publish in it only once an owner adds them', async () => {
      assert.equal((await publish('alice', '@acme/tool')).status, 201);
      const foreign = await refused(() => publish('bob', '@acme/other'), 403, 'scope_forbidden');
      assert.match(foreign.message!, /@acme belongs to alice/);
      // A user's name is theirs as a scope, even before they publish in it.
      await refused(() => publish('bob', '@carol/tool'), 403, 'scope_forbidden');
      const notOwner = await fetch(`${registry.url}/api/v1/scopes/acme/members/bob`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.bob}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'member' }),
      });
      assert.equal(notOwner.status, 403);
      const added = await fetch(`${registry.url}/api/v1/scopes/acme/members/bob`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'member' }),
      });
      assert.equal(added.status, 200);
      assert.deepEqual(((await added.json()) as { members: unknown }).members, [
        { username: 'alice', role: 'owner' },
        { username: 'bob', role: 'member' },
      ]);
      assert.equal((await publish('bob', '@acme/other')).status, 201);
      // Still alice's package: a member publishes new packages, not versions of others'.
      await refused(() => publish('bob', '@acme/tool', '1.1.0'), 403, 'forbidden');
    });

    it('refuses a new name one edit from a popular package unless confirmed, and look-alike characters always', async () => {
      assert.equal((await publish('alice', 'markdown-lint')).status, 201);
      // Popular: downloads the registry counted.
      await registry.server.db.query(`UPDATE packages SET downloads_total = 5000 WHERE name = 'markdown-lint'`);
      const typo = await refused(() => publish('bob', 'markdown-lnt'), 409, 'similar_name');
      assert.match(typo.message!, /"markdown-lnt" is the popular package "markdown-lint" within one edit/);
      assert.equal(typo.details?.resembles, 'markdown-lint');
      await refused(() => publish('bob', '@bob/markdown-lint'), 409, 'similar_name');
      await refused(
        () => publish('bob', 'rnarkdown-lint', '1.0.0', { confirm_name: 'markdown-lint' }),
        409,
        'similar_name',
      );
      await refused(
        () => publish('bob', 'markdown-lnt', '1.0.0', { confirm_name: 'something-else' }),
        409,
        'similar_name',
      );
      assert.equal((await publish('bob', 'markdown-lnt', '1.0.0', { confirm_name: 'markdown-lint' })).status, 201);
      // The CLI says which package the name resembles, and how to confirm it.
      await registry.writeConfig();
      const dir = join(registry.root, 'markdown-lnit');
      await mkdir(join(dir, 'prompts'), { recursive: true });
      await writeFile(
        join(dir, 'aam.yaml'),
        'name: markdown-lnit\nversion: 1.0.0\ndescription: Lint\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n',
      );
      await writeFile(join(dir, 'prompts', 'p.md'), '# p\n');
      const env = { AAM_REGISTRY_TOKEN: tokens.bob! };
      const cli = await registry.run(['publish', dir], env);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /popular package "markdown-lint" within one edit.*--confirm-name markdown-lint/s);
      const confirmed = await registry.run(['publish', dir, '--confirm-name', 'markdown-lint'], env);
      assert.equal(confirmed.code, 0, confirmed.stderr);
      // Its owner's own packages are not squatting on it.
      assert.equal((await publish('alice', 'markdown-lint-extra')).status, 201);
      assert.equal((await publish('alice', '@alice/markdown-lint')).status, 201);
    });
  });
