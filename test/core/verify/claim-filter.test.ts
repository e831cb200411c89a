import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  claimsOfInstalled,
  ClaimFilter,
  filteredClaims,
  installedClaims,
} from '../../../src/core/verify/evidence/claims.ts';

/**
 * Verifying one package parses only the manifests that can claim one of its
 * places. Checked against the full parse: for every pair of manifests, of
 * every artifact kind, with names related by Cursor's `agent-` prefix and
 * written plainly, quoted or escaped, a manifest the filter skips never
 * shares a place with the package.
 */
describe('which installed manifests verifying one package must read', () => {
  const kinds = ['agents', 'skills', 'prompts', 'instructions'] as const;
  const names = ['foo', 'agent-foo', 'agent-agent-foo', 'bar', 'foo-bar'];
  const spellings: ((name: string) => string)[] = [
    (n) => n,
    (n) => `'${n}'`,
    (n) => `"${n}"`,
    // Every letter escaped: the text holds no name at all.
    (n) => `"${[...n].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('')}"`,
    (n) => `!!str ${n}`,
  ];
  const manifest = (kind: string, name: string, spell: (n: string) => string) =>
    `name: "@t/p"\nversion: 1.0.0\ndescription: "d"\nartifacts:\n  ${kind}:\n    - name: ${spell(name)}\n      path: a/file.md\n      description: "x"\n`;

  it('skips no manifest that shares a place with the package, and reads the same claims for those it keeps', async () => {
    const root = await mkdtemp(join(tmpdir(), 'aam-claim-filter-'));
    const roots = { project: join(root, 'project'), home: join(root, 'home') };
    try {
      const dirs: string[] = [];
      for (const kind of kinds)
        for (const name of names)
          for (const [s, spell] of spellings.entries()) {
            const dir = join(root, `${kind}-${name}-${s}`);
            await mkdir(dir, { recursive: true });
            await writeFile(join(dir, 'aam.yaml'), manifest(kind, name, spell));
            dirs.push(dir);
          }
      let skipped = 0;
      let shared = 0;
      for (const mine of dirs) {
        const own = installedClaims(mine, roots);
        assert.equal(own.names.length, 1, mine);
        const filter = new ClaimFilter(own.names);
        for (const other of dirs) {
          const full = claimsOfInstalled(other, roots);
          const filtered = filteredClaims(other, roots, filter);
          const overlaps = full.some((place) => own.places.includes(place));
          if (overlaps) shared++;
          if (filtered.length === 0 && full.length > 0) {
            skipped++;
            assert.ok(!overlaps, `${other} shares a place with ${mine} but was skipped`);
          } else assert.deepEqual(filtered, full);
        }
      }
      assert.ok(skipped > 0 && shared > 0, `skipped ${skipped}, shared ${shared}`);
      assert.ok(new ClaimFilter(['foo']).covers(['foo']));
      assert.ok(!new ClaimFilter(['foo']).covers(['foo', 'bar']));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
