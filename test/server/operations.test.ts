import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { awayFromMinuteEnd, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

const havePostgres = (await postgresBin()) !== undefined;

describe('operations: /healthz, /readyz and /metrics', () => {
  let registry: TestRegistry;
  let postgres: TestPostgres | undefined;
  const json = async (path: string) => {
    const response = await fetch(`${registry.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    postgres = havePostgres ? await startPostgres() : undefined;
    registry = await startTestRegistry({ postgres, rateLimits: { search: 1 } });
  });
  after(async () => {
    await registry?.close();
    await postgres?.stop();
  });

  it('counts requests by route and status, their latency, publishes, rate-limited requests and refusals', async () => {
    const token = await registry.token('alice');
    await registry.client(token).publish(await packPackage('metered', '1.0.0'), []);
    await awayFromMinuteEnd();
    await fetch(`${registry.url}/api/v1/packages?q=a`);
    assert.equal((await fetch(`${registry.url}/api/v1/packages?q=b`)).status, 429);
    assert.equal((await fetch(`${registry.url}/api/v1/packages/metered/9.9.9`)).status, 404);
    const response = await fetch(`${registry.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^aam_publishes_total 1$/m);
    assert.match(text, /^aam_rate_limited_total\{kind="search"\} 1$/m);
    assert.match(text, /^aam_refusals_total\{reason="rate_limited"\} 1$/m);
    assert.match(text, /^aam_refusals_total\{reason="version_not_found"\} 1$/m);
    assert.match(text, /^aam_http_requests_total\{route="\/api\/v1\/packages",method="POST",status="201"\} 1$/m);
    assert.match(text, /^aam_http_requests_total\{route="\/api\/v1\/packages",method="GET",status="429"\} 1$/m);
    assert.match(
      text,
      /^aam_http_request_duration_seconds_bucket\{le="\+Inf",route="\/api\/v1\/packages",method="POST"\} 1$/m,
    );
    assert.match(text, /^aam_process_resident_memory_bytes \d+/m);
  });

  it('is ready while the database and the blob store answer, and says which does not', async () => {
    assert.deepEqual(await json('/healthz'), { status: 200, body: { ok: true } });
    assert.deepEqual(await json('/readyz'), { status: 200, body: { ok: true } });
    // The blob folder replaced by a file: nothing can be written there.
    const blobs = join(registry.dataDir, 'blobs');
    await rename(blobs, `${blobs}.away`);
    await writeFile(blobs, 'not a folder');
    const broken = await json('/readyz');
    assert.equal(broken.status, 503);
    assert.equal(broken.body.ok, false);
    assert.match(String(broken.body.blobs), /ENOTDIR|EEXIST/);
    assert.equal(broken.body.database, undefined);
    assert.deepEqual(await json('/healthz'), { status: 200, body: { ok: true } }, 'alive, if not ready');
  });

  it(
    'is not ready when its PostgreSQL server is gone',
    { skip: !havePostgres && 'PostgreSQL is not installed' },
    async () => {
      await postgres!.stop();
      const answer = await json('/readyz');
      assert.equal(answer.status, 503);
      assert.equal(typeof answer.body.database, 'string');
    },
  );
});
