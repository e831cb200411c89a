import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AamError } from '../../src/core/errors.ts';
import { retryAfterMs } from '../../src/core/registry/http-rate-limit.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

const VERSIONS = [
  ['alpha', '1.0.0'],
  ['alpha', '1.1.0'],
  ['beta', '1.0.0'],
  ['gamma', '1.0.0'],
  ['@acme/delta', '1.0.0'],
  ['@acme/delta', '2.0.0'],
] as const;

/**
 * A registry whose download limit is low (2 in a window of 2 s, for the
 * test; the spec's is 1,000 a minute): a long read waits out each 429 for
 * what its Retry-After asks, every request of the client with it, and says
 * so; past its allowance the 429 is the answer, saying how long it waited.
 */
describe("waiting for a registry's rate limit", () => {
  let registry: TestRegistry;

  before(async () => {
    registry = await startTestRegistry({ rateLimits: { download: 2 }, testing: { rateLimitWindowMs: 2_000 } });
    const client = registry.client(await registry.token('alice'));
    for (const [name, version] of VERSIONS) await client.publish(await packPackage(name, version), []);
  });
  after(async () => registry?.close());

  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(retryAfterMs('3'), 3_000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
    const date = retryAfterMs(new Date(Date.now() + 10_000).toUTCString())!;
    assert.ok(date > 8_000 && date <= 10_000, String(date));
  });

  it('reads every archive, eight at a time, waiting as the registry asks and saying so', async () => {
    const waits: { ms: number; said: string }[] = [];
    const client = new HttpRegistry('corp', registry.url, {
      rateLimitWaitMs: 60_000,
      onRateLimit: (ms, said) => waits.push({ ms, said }),
    });
    const started = Date.now();
    const archives = await Promise.all(VERSIONS.map(([name, version]) => client.readArchive(name, version)));
    assert.equal(archives.length, VERSIONS.length);
    for (const archive of archives) assert.ok(archive.length > 0);
    // Six downloads at two a window: two waits at least, each told once, with what the registry said.
    assert.ok(waits.length >= 2, JSON.stringify(waits));
    for (const wait of waits) {
      assert.ok(wait.ms >= 1_000 && wait.ms <= 2_000, JSON.stringify(wait));
      assert.match(wait.said, /Too many requests: at most 2 in 2 s/);
    }
    assert.ok(Date.now() - started >= 2_000);
  });

  it('answers the 429 when waiting would go past the allowance, saying how long it waited', async () => {
    const client = new HttpRegistry('corp', registry.url, { rateLimitWaitMs: 0 });
    const refused = await (async () => {
      for (const [name, version] of VERSIONS) await client.readArchive(name, version);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof AamError, String(refused));
    assert.match(refused.message, /HTTP 429 rate_limited/);
    assert.match(refused.hint ?? '', /has waited 0 s for it, and waits 0 s at most in all/);
  });

  it('report --registry checks every version under the limit, saying that it waits', async () => {
    await registry.writeConfig();
    const { stdout, stderr } = await registry.run(['report', '--registry', 'corp', '--format', 'json']);
    const report = JSON.parse(stdout) as { rows: { name: string; version: string; status: string }[] };
    assert.deepEqual(
      report.rows.map((r) => `${r.name}@${r.version}`).sort(),
      VERSIONS.map(([n, v]) => `${n}@${v}`).sort(),
    );
    // Every archive was read and checked: unsigned, not "evidence missing".
    assert.deepEqual([...new Set(report.rows.map((r) => r.status))], ['unsigned'], stdout);
    assert.match(stderr, /Waiting \d s for the rate limit of registry "corp" \(Too many requests/);
  });
});
