import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { folderTwins } from '../../src/server/name-policy.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { snapshotRegistry } from '../helpers/snapshot.ts';

describe('the names a client installs in one folder', () => {
  const twins = (name: string) =>
    folderTwins(name).map((t) => (t.scope === undefined ? t.name : `@${t.scope}/${t.name}`));

  it('pairs @scope/name with scope--name, and splits a folder at each "--"', () => {
    assert.deepEqual(twins('@acme/tool'), ['acme--tool']);
    assert.deepEqual(twins('acme--tool'), ['@acme/tool']);
    assert.deepEqual(twins('@acme--x/tool'), ['acme--x--tool', '@acme/x--tool']);
    assert.deepEqual(twins('@acme/x--tool'), ['acme--x--tool', '@acme--x/tool']);
    // A name part starts with a letter or digit; a scope may end with "-".
    assert.deepEqual(twins('a---b'), ['@a-/b']);
    assert.deepEqual(twins('markdown-lint'), []);
  });
});

for (const engine of ENGINES)
  describe(
    `a new name whose folder is another's (SPEC §1: @scope/name is scope--name), on ${engine.name}`,
    { skip: engine.skip },
    () => {
      let postgres: TestPostgres | undefined;
      let registry: TestRegistry;
      const tokens: Record<string, string> = {};

      const publish = async (user: string, name: string) => {
        const form = new FormData();
        form.append('archive', new Blob([new Uint8Array(await packPackage(name, '1.0.0'))]), 'a.aam');
        const response = await fetch(`${registry.url}/api/v1/packages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[user]}` },
          body: form,
        });
        const body = (await response.json()) as { error?: string; message?: string; details?: unknown };
        return { status: response.status, ...body };
      };
      const snapshot = () =>
        snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
      /** Refused with `status` and `error`, and the database and blob store exactly as they were. */
      const refused = async (user: string, name: string, status: number, error: string) => {
        const before = await snapshot();
        const answer = await publish(user, name);
        assert.deepEqual([answer.status, answer.error], [status, error], answer.message);
        assert.deepEqual(await snapshot(), before, 'a refused publish changed the registry');
        return answer;
      };
      const published = async (user: string, name: string) => {
        const answer = await publish(user, name);
        assert.equal(answer.status, 201, answer.message);
      };

      before(async () => {
        postgres = await engine.start();
        registry = await startTestRegistry({ postgres, name: 'corp' });
        for (const user of ['alice', 'bob', 'carol']) tokens[user] = await registry.token(user, ['publish', 'admin']);
        tokens.operator = await registry.token('operator', ['operator']);
        await published('alice', '@acme/tool');
      });
      after(async () => {
        await registry?.close();
        await postgres?.stop();
      });

      it("refuses the unscoped scope--name of a scope that is someone else's, naming both", async () => {
        const answer = await refused('bob', 'acme--tool', 403, 'scope_forbidden');
        assert.match(answer.message!, /"acme--tool" would be installed in the folder clients give @acme\/tool/);
        assert.match(answer.message!, /\.aam\/packages\/acme--tool\//);
        assert.match(answer.message!, /the scope @acme belongs to alice/);
        assert.deepEqual(answer.details, { folder: 'acme--tool', conflicts_with: '@acme/tool' });
        // Also a name no package of @acme has yet: every folder "acme--…" is @acme's.
        await refused('bob', 'acme--other', 403, 'scope_forbidden');
        // And a scope holding "--": @acme--x/tool is @acme/x--tool on disk.
        await refused('bob', '@acme--x/tool', 403, 'scope_forbidden');
        // A scope not yet claimed but named like a user is that user's, here too.
        await refused('bob', 'carol--tool', 403, 'scope_forbidden');
      });

      it("refuses a new @scope/name whose folder someone else's scope--name has", async () => {
        // No scope @zeta yet, and no user zeta: anyone may take zeta--tool, as anyone may claim @zeta.
        await published('bob', 'zeta--tool');
        await published('carol', '@zeta/other');
        const answer = await refused('carol', '@zeta/tool', 409, 'folder_taken');
        assert.match(answer.message!, /"@zeta\/tool" would be installed in the same folder as "zeta--tool"/);
        assert.deepEqual(answer.details, { folder: 'zeta--tool', conflicts_with: 'zeta--tool' });
      });

      it('lets the scope’s members and the operator publish in its folders', async () => {
        await published('alice', 'acme--extra');
        await published('alice', 'acme--legacy');
        // Moving one's own unscoped name into one's scope.
        await published('alice', '@acme/legacy');
        const added = await fetch(`${registry.url}/api/v1/scopes/acme/members/bob`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'member' }),
        });
        assert.equal(added.status, 200);
        await published('bob', 'acme--by-bob');
        await published('operator', '@zeta--x/tool');
      });
    },
  );
