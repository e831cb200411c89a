import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { EVAL_NAMES_SHOWN, MAX_EVAL_RESULTS } from '../../src/server/store/eval-results.ts';

const RESULT = {
  eval_name: 'accuracy-eval',
  status: 'passed',
  metrics: { accuracy: 94.2, latency_p95: 1200 },
  run_at: '2026-02-07T10:00:00Z',
  runner_identity: 'ci@myorg.com',
  environment: { model: 'gpt-4', runtime: 'python-3.12' },
};

/** Eval results (spec §3.2, §3.3.9): an owner uploads a version's, checked against the schema; anyone reads them. */
describe('eval results on an HTTP registry', () => {
  let registry: TestRegistry;
  let alice: string;
  const post = (token: string | undefined, body: unknown, version = '1.0.0') =>
    fetch(`${registry.url}/api/v1/packages/@acme/evald/${version}/eval-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const stored = async () =>
    (await registry.server.db.query<{ count: number }>('SELECT COUNT(*)::int AS count FROM eval_results')).rows[0]!
      .count;

  before(async () => {
    registry = await startTestRegistry();
    alice = await registry.token('alice');
    await registry.client(alice).publish(await packPackage('@acme/evald', '1.0.0'), []);
  });
  after(async () => registry?.close());

  it('takes an owner’s result and shows it to anyone, in the version too', async () => {
    const response = await post(alice, RESULT);
    assert.equal(response.status, 201);
    const created = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(
      { ...created, id: undefined, created_at: undefined },
      {
        ...RESULT,
        run_at: '2026-02-07T10:00:00.000Z',
        uploaded_by: 'alice',
        id: undefined,
        created_at: undefined,
      },
    );
    const listed = (await (await fetch(`${registry.url}/api/v1/packages/@acme/evald/1.0.0/eval-results`)).json()) as {
      package: string;
      version: string;
      eval_results: { id: string; metrics: unknown }[];
    };
    assert.equal(listed.package, '@acme/evald');
    assert.deepEqual(
      listed.eval_results.map((r) => [r.id, r.metrics]),
      [[created.id, RESULT.metrics]],
    );
    assert.deepEqual(
      (await registry.client().evalResults('@acme/evald', '1.0.0')).map((r) => r.eval_name),
      ['accuracy-eval'],
    );
    const version = (await (await fetch(`${registry.url}/api/v1/packages/@acme/evald/1.0.0`)).json()) as {
      eval_results: unknown[];
    };
    assert.equal(version.eval_results.length, 1);
  });

  it('refuses a result that does not match the schema, naming the field, and stores nothing', async () => {
    const before = await stored();
    const cases: [unknown, RegExp][] = [
      [{ ...RESULT, status: 'great' }, /body\/status/],
      [{ ...RESULT, metrics: { accuracy: '94.2' } }, /body\/metrics\/accuracy must be number/],
      [{ ...RESULT, run_at: 'yesterday' }, /body\/run_at/],
      [{ ...RESULT, run_at: '2999-01-01T00:00:00Z' }, /run_at .* is in the future/],
      [{ ...RESULT, score: 1 }, /body\/score is not allowed/],
      [{ ...RESULT, eval_name: undefined }, /body\/eval_name is required/],
      [
        `{"eval_name": "a", "eval_name": "b", "status": "passed", "metrics": {}, "run_at": "2026-01-01T00:00:00Z"}`,
        /names "eval_name" twice/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await post(alice, body);
      const answer = (await response.json()) as { error: string; message: string };
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(answer.message, message);
    }
    assert.equal(await stored(), before);
  });

  it("refuses a stranger, a token without the publish scope, a result twice, and a version that isn't there", async () => {
    const before = await stored();
    const bob = await registry.token('bob');
    const bobAnswer = await post(bob, RESULT);
    assert.equal(bobAnswer.status, 403);
    assert.match(((await bobAnswer.json()) as { message: string }).message, /bob is not an owner of @acme\/evald/);
    assert.equal((await post(await registry.token('alice', ['read']), RESULT)).status, 403);
    assert.equal((await post(undefined, RESULT)).status, 401);
    const twice = await post(alice, RESULT);
    assert.deepEqual([twice.status, ((await twice.json()) as { error: string }).error], [409, 'eval_exists']);
    assert.equal((await post(alice, RESULT, '9.9.9')).status, 404);
    assert.equal(await stored(), before);
  });

  it('works the same for an unscoped package: /packages/{name}/{version}/eval-results', async () => {
    await registry.client(alice).publish(await packPackage('evald-plain', '2.0.0'), []);
    const url = (version = '2.0.0') => `${registry.url}/api/v1/packages/evald-plain/${version}/eval-results`;
    const upload = (token: string | undefined, body: unknown, version?: string) =>
      fetch(url(version), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const before = await stored();
    // Refused as for a scoped one, storing nothing: no token, a stranger, a bad field, a version that isn't there.
    assert.equal((await upload(undefined, RESULT)).status, 401);
    assert.equal((await upload(await registry.token('bob'), RESULT)).status, 403);
    const bad = await upload(alice, { ...RESULT, metrics: { accuracy: 'high' } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /body\/metrics\/accuracy/);
    assert.equal((await upload(alice, RESULT, '9.9.9')).status, 404);
    assert.equal(await stored(), before);

    const created = await upload(alice, { ...RESULT, eval_name: 'plain-eval' });
    assert.equal(created.status, 201);
    const id = ((await created.json()) as { id: string }).id;
    const listed = (await (await fetch(url())).json()) as {
      package: string;
      version: string;
      eval_results: { id: string; eval_name: string; uploaded_by: string }[];
    };
    assert.deepEqual(
      [listed.package, listed.version, listed.eval_results.map((r) => [r.id, r.eval_name, r.uploaded_by])],
      ['evald-plain', '2.0.0', [[id, 'plain-eval', 'alice']]],
    );
    assert.deepEqual(
      (await registry.client().evalResults('evald-plain', '2.0.0')).map((r) => r.eval_name),
      ['plain-eval'],
    );
    // The scoped package's results are its own.
    assert.ok((await registry.client().evalResults('@acme/evald', '1.0.0')).every((r) => r.eval_name !== 'plain-eval'));
    assert.equal((await fetch(url('9.9.9'))).status, 404);
  });

  it('keeps at most MAX_EVAL_RESULTS a version, and shows the latest run of each evaluation in its metadata', async () => {
    // registry2-review F1: uploads had no limit and no cap, and every one went into each anonymous read
    // of the version (200 made its metadata 1.85 MB).
    await registry.client(alice).publish(await packPackage('@acme/evald', '3.0.0'), []);
    const names = EVAL_NAMES_SHOWN + 4;
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const statuses: number[] = [];
    for (let i = 0; i < MAX_EVAL_RESULTS; i += 10)
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, async (_, j) => {
            const n = i + j;
            return (await post(alice, { ...RESULT, eval_name: `eval-${n % names}`, run_at: at(n) }, '3.0.0')).status;
          }),
        )),
      );
    assert.deepEqual(new Set(statuses), new Set([201]));
    const full = await post(alice, { ...RESULT, eval_name: 'one-more', run_at: at(MAX_EVAL_RESULTS) }, '3.0.0');
    const body = (await full.json()) as { error: string; message: string };
    assert.deepEqual([full.status, body.error], [409, 'too_many_eval_results']);
    assert.match(body.message, /publish a new version/);
    const listed = (await (await fetch(`${registry.url}/api/v1/packages/@acme/evald/3.0.0/eval-results`)).json()) as {
      eval_results: unknown[];
    };
    assert.equal(listed.eval_results.length, MAX_EVAL_RESULTS);
    // The metadata: each evaluation's latest run, of those run last, in the order they ran.
    const shown = (
      (await (await fetch(`${registry.url}/api/v1/packages/@acme/evald/3.0.0`)).json()) as {
        eval_results: { eval_name: string; run_at: string }[];
      }
    ).eval_results;
    const latest = Array.from({ length: names }, (_, k) => {
      const last = k + names * Math.floor((MAX_EVAL_RESULTS - 1 - k) / names);
      return { eval_name: `eval-${k}`, run_at: at(last) };
    })
      .sort((a, b) => a.run_at.localeCompare(b.run_at))
      .slice(-EVAL_NAMES_SHOWN);
    assert.deepEqual(
      shown.map((r) => [r.eval_name, r.run_at]),
      latest.map((r) => [r.eval_name, r.run_at]),
    );
  });

  it('counts uploads against the write limit', async () => {
    const limited = await startTestRegistry({ rateLimits: { write: 3 } });
    try {
      const token = await limited.token('alice');
      await limited.client(token).publish(await packPackage('@acme/evald', '1.0.0'), []);
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (
            await fetch(`${limited.url}/api/v1/packages/@acme/evald/1.0.0/eval-results`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ ...RESULT, run_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }),
            })
          ).status,
        );
      assert.deepEqual(statuses, [201, 201, 201, 429]);
    } finally {
      await limited.close();
    }
  });
});
