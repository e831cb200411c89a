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

  it('looks for the names in the bytes exactly as in the text they decode to', () => {
    // Around each name: malformed and partial UTF-8 (a lead byte before an ASCII one, a lone
    // continuation byte, a cut four-byte sequence), a BOM, CRLF, characters of two to four bytes.
    const pieces = [
      Buffer.from([0xc3]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.from([0x80]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\ufeff'),
      Buffer.from('\r\n'),
      Buffer.from('é€😀'),
      Buffer.from('\\'),
      Buffer.from(' '),
    ];
    const words = ['foo', 'fo', 'oo', 'agent-foo', 'bar', 'fóo', 'føø'];
    const filters = [['foo'], ['agent-foo'], ['foo', 'bar'], ['føø'], ['fóo', 'bar']].map((n) => new ClaimFilter(n));
    let texts = 0;
    let claimed = 0;
    for (const before of pieces)
      for (const word of words)
        for (const after of pieces)
          for (const cut of [0, 1]) {
            const whole = Buffer.concat([before, Buffer.from(word), after]);
            // Cut inside the word too: a name split by a malformed byte is no name.
            const bytes = cut
              ? Buffer.concat([
                  whole.subarray(0, before.length + 1),
                  Buffer.from([0xc3]),
                  whole.subarray(before.length + 1),
                ])
              : whole;
            for (const filter of filters) {
              const expected = filter.mayClaim(bytes.toString('utf8'));
              assert.equal(filter.mayClaimBytes(bytes), expected, `${bytes.toString('hex')}`);
              texts++;
              if (expected) claimed++;
            }
          }
    assert.ok(claimed > 0 && claimed < texts, `${claimed} of ${texts}`);
  });
});
