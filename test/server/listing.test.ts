import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface Page {
  packages: { name: string }[];
  next?: string | null;
  total?: number;
  total_capped?: boolean;
}

/** What the listing holds, in the server's order: unscoped names first, then by scope, in byte order. */
const UNSCOPED = Array.from({ length: 9 }, (_, i) => `pkg-${i + 1}`);
const EVERY = ['alpha', ...UNSCOPED, 'zeta', '@acme/one', '@acme/two'];

/**
 * A registry with more packages than its listing by page shows (its cap,
 * lowered from 10,000 to 5 for the test): a client sees every one of them,
 * listed after a name, and names a package whose metadata it cannot read.
 */
describe('listing every package of a registry past its page cap', () => {
  let registry: TestRegistry;
  let token: string;

  before(async () => {
    registry = await startTestRegistry({ testing: { listCap: 5 } });
    token = await registry.token('alice');
    const client = registry.client(token);
    for (const name of ['alpha', 'zeta', '@acme/one', '@acme/two'])
      await client.publish(await packPackage(name, '1.0.0'), []);
    // More packages, as rows (no versions): the cap counts packages, whatever they hold.
    await registry.server.db.query(
      `INSERT INTO packages (name, description) SELECT 'pkg-' || i, 'x' FROM generate_series(1, 9) AS i`,
    );
  });
  after(async () => registry?.close());

  const get = async (query: string) => {
    const response = await fetch(`${registry.url}/api/v1/packages?${query}`);
    return { status: response.status, body: (await response.json()) as Page };
  };

  it('caps a listing by page, and lists every package after a name, page by page, with no cap', async () => {
    const paged = await get('page=1&limit=100');
    assert.deepEqual([paged.body.total, paged.body.total_capped, paged.body.packages.length], [5, true, 5]);
    const seen: string[] = [];
    let pages = 0;
    for (let after: string | null | undefined = ''; typeof after === 'string'; pages++) {
      const { status, body } = await get(`after=${encodeURIComponent(after)}&limit=4`);
      assert.equal(status, 200);
      assert.ok(body.packages.length <= 4);
      seen.push(...body.packages.map((p) => p.name));
      after = body.next;
    }
    assert.deepEqual(seen, EVERY);
    assert.equal(pages, 4);
    // After the last name there is nothing, and no next.
    assert.deepEqual((await get('after=%40acme%2Ftwo&limit=4')).body, { packages: [], next: null });
    // A type filter lists after a name too (the rows inserted have no artifacts).
    assert.deepEqual(
      (await get('after=&limit=1000&type=prompt')).body.packages.map((p) => p.name),
      ['alpha', 'zeta', '@acme/one', '@acme/two'],
    );
  });

  it('refuses after with a query or a page, and a page of more than 100', async () => {
    assert.equal((await get('after=&q=pkg')).status, 400);
    assert.equal((await get('after=&page=2')).status, 400);
    assert.equal((await get('limit=1000')).status, 400);
    assert.equal((await get('after=&limit=1001')).status, 400);
  });

  it('documents after and next in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${registry.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; description?: string }[] } }>;
    };
    const after = doc.paths['/api/v1/packages']?.get?.parameters?.find((p) => p.name === 'after');
    assert.match(after?.description ?? '', /with no cap/);
  });

  it("the client's listing holds every package; one whose metadata cannot be read is named, not dropped", async () => {
    const client = new HttpRegistry('corp', registry.url);
    const listing = await client.listing();
    assert.deepEqual(
      listing.packages.map((p) => p.name),
      EVERY,
    );
    assert.deepEqual([listing.unreadable, listing.notices], [[], []]);
    // A package the registry lists but whose metadata it cannot serve: a name its routes refuse
    // (stored before the database checked names, say).
    await registry.server.db.query('ALTER TABLE packages DROP CONSTRAINT package_name_format');
    await registry.server.db.query(`INSERT INTO packages (name, description) VALUES ('Broken Name', 'x')`);
    try {
      const broken = await client.listing();
      assert.equal(broken.packages.length, EVERY.length);
      assert.deepEqual(
        broken.unreadable.map((u) => u.name),
        ['Broken Name'],
      );
      assert.match(
        broken.notices.join('\n'),
        /Package Broken Name of registry "corp" could not be read.*not a valid package name/,
      );
      // …and the report over the registry says so.
      await registry.writeConfig();
      const report = await registry.run(['report', '--registry', 'corp', '--format', 'json']);
      const json = JSON.parse(report.stdout) as {
        unchecked: { what: string; status: string; reason: string; next: string }[];
        rows: { name: string }[];
      };
      assert.equal(new Set(json.rows.map((r) => r.name)).size, 4, report.stderr);
      const [unread] = json.unchecked;
      assert.equal(json.unchecked.length, 1, JSON.stringify(json.unchecked));
      assert.equal(unread!.what, 'registry package');
      assert.equal(unread!.status, 'not checked');
      assert.match(unread!.reason, /package Broken Name could not be read.*not a valid package name/);
      assert.match(unread!.next, /aam-trust info Broken Name --registry corp/);
      // A package left unread fails the report: it cannot be called compliant.
      assert.equal(report.code, 1);
      const table = await registry.run(['report', '--registry', 'corp']);
      assert.match(table.stdout, /1 package not checked/);
      assert.match(table.stdout, /registry "corp": not checked: package Broken Name could not be read/);
      assert.doesNotMatch(table.stdout, /Everything is compliant/);
      assert.equal(table.code, 1);
    } finally {
      await registry.server.db.query(`DELETE FROM packages WHERE name = 'Broken Name'`);
    }
  });

  it('reads an older server (no after) page by page, and says when its listing stops short', async () => {
    // An older server, as far as a client can tell: it ignores `after` and answers pages.
    const older: Server = createServer((request, response) => {
      const url = new URL(request.url!, registry.url);
      url.searchParams.delete('after');
      if (Number(url.searchParams.get('limit')) > 100) url.searchParams.set('limit', '100');
      void fetch(url).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
        response.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = older.address() as { port: number };
      const listing = await new HttpRegistry('old', `http://127.0.0.1:${port}`).listing();
      assert.equal(listing.packages.length, 5);
      assert.match(listing.notices.join('\n'), /Registry "old" lists only its first 5 packages \(it has more\)/);
    } finally {
      await new Promise((resolve) => older.close(resolve));
    }
  });
});
