import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  MemoryTree,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/core/registry/merkle.ts';
import type { Hash } from '../../../src/core/registry/merkle.ts';

/**
 * Known-answer vectors for RFC 6962 trees: the eight leaves, their roots and
 * proofs as published with the reference verifiers (certificate-transparency,
 * transparency-dev/merkle proof/verify_test.go, Apache-2.0). Indices there
 * count leaves from 1.
 */
const h = (hex: string) => Buffer.from(hex, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  h,
);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
const INCLUSION: [leaf: number, size: number, proof: string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [size1: number, size2: number, proof: string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];
const SOME = h('abacaba000000000000000000000000000000000000000000060061e00123456');
const EMPTY = h('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

const tree = (n: number) => new MemoryTree(LEAVES.slice(0, n).map(leafHash));
const flip = (proof: Hash[], i: number, bit: number) =>
  proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bit : b))) : p));

describe('the audit log Merkle tree (RFC 6962 / 9162)', () => {
  it('has the known roots of the reference vectors', async () => {
    for (let n = 1; n <= 8; n++)
      assert.equal((await rootOf(tree(n), n)).toString('hex'), ROOTS[n - 1]!.toString('hex'));
  });

  it('builds and verifies the known inclusion proofs', async () => {
    for (const [leaf, size, expected] of INCLUSION) {
      const proof = await inclusionProof(tree(size), leaf - 1, size);
      assert.deepEqual(
        proof.map((p) => p.toString('hex')),
        expected,
      );
      assert.deepEqual(verifyInclusion(leaf - 1, size, leafHash(LEAVES[leaf - 1]!), proof, ROOTS[size - 1]!), {
        ok: true,
      });
    }
  });

  it('builds and verifies the known consistency proofs', async () => {
    for (const [size1, size2, expected] of CONSISTENCY) {
      const proof = await consistencyProof(tree(size2), size1, size2);
      assert.deepEqual(
        proof.map((p) => p.toString('hex')),
        expected,
      );
      assert.deepEqual(verifyConsistency(size1, size2, proof, ROOTS[size1 - 1]!, ROOTS[size2 - 1]!), { ok: true });
    }
  });

  it('refuses every corrupted inclusion proof (wrong index, size, leaf, root; garbage; a flipped bit; a component removed or inserted)', () => {
    for (const [leaf, size, hex] of INCLUSION) {
      const proof = hex.map(h);
      const [index, root, hash] = [leaf - 1, ROOTS[size - 1]!, leafHash(LEAVES[leaf - 1]!)];
      const probes: [string, number, number, Hash, Hash[], Hash][] = [
        ['index - 1', index - 1, size, hash, proof, root],
        ['index + 1', index + 1, size, hash, proof, root],
        ['index ^ 2', index ^ 2, size, hash, proof, root],
        ['size * 2', index, size * 2, hash, proof, root],
        ['size / 2', index, Math.floor(size / 2), hash, proof, root],
        ['wrong leaf', index, size, leafHash(Buffer.from('WrongLeaf')), proof, root],
        ['empty root', index, size, hash, proof, EMPTY],
        ['random root', index, size, hash, proof, SOME],
        ['trailing garbage', index, size, hash, [...proof, Buffer.alloc(0)], root],
        ['trailing root', index, size, hash, [...proof, root], root],
        ['preceding garbage', index, size, hash, [Buffer.alloc(0), ...proof], root],
        ['preceding root', index, size, hash, [root, ...proof], root],
        ['removed component', index, size, hash, proof.slice(0, -1), root],
        ['inserted component', index, size, hash, [proof[0]!, SOME, ...proof.slice(1)], root],
        ...proof.map((_, i): [string, number, number, Hash, Hash[], Hash] => [
          `proof[${i}] bit 3`,
          index,
          size,
          hash,
          flip(proof, i, 8),
          root,
        ]),
      ];
      for (const [what, i, n, l, p, r] of probes)
        assert.equal(verifyInclusion(i, n, l, p, r).ok, false, `leaf ${leaf} of ${size}: ${what} verified`);
    }
  });

  it('refuses every corrupted consistency proof (wrong sizes, roots swapped, empty, garbage, truncated, a flipped bit)', () => {
    for (const [size1, size2, hex] of CONSISTENCY) {
      const proof = hex.map(h);
      const [root1, root2] = [ROOTS[size1 - 1]!, ROOTS[size2 - 1]!];
      const probes: [string, number, number, Hash[], Hash, Hash][] = [
        ['size1 - 1', size1 - 1, size2, proof, root1, root2],
        ['size1 + 1', size1 + 1, size2, proof, root1, root2],
        ['size1 ^ 2', size1 ^ 2, size2, proof, root1, root2],
        ['size2 * 2', size1, size2 * 2, proof, root1, root2],
        ['size2 / 2', size1, Math.floor(size2 / 2), proof, root1, root2],
        ['wrong root1', size1, size2, proof, SOME, root2],
        ['wrong root2', size1, size2, proof, root1, SOME],
        ['swapped roots', size1, size2, proof, root2, root1],
        ['empty proof', size1, size2, [], root1, root2],
        ['trailing garbage', size1, size2, [...proof, Buffer.alloc(0)], root1, root2],
        ['trailing root1', size1, size2, [...proof, root1], root1, root2],
        ['trailing root2', size1, size2, [...proof, root2], root1, root2],
        ['preceding garbage', size1, size2, [Buffer.alloc(0), ...proof], root1, root2],
        ['preceding root1', size1, size2, [root1, ...proof], root1, root2],
        ['preceding root2', size1, size2, [root2, ...proof], root1, root2],
        ['preceding proof[0]', size1, size2, [proof[0]!, ...proof], root1, root2],
        ['truncated proof', size1, size2, proof.slice(0, -1), root1, root2],
        ...proof.map((_, i): [string, number, number, Hash[], Hash, Hash] => [
          `proof[${i}] bit 4`,
          size1,
          size2,
          flip(proof, i, 16),
          root1,
          root2,
        ]),
      ];
      for (const [what, a, b, p, r1, r2] of probes)
        assert.equal(verifyConsistency(a, b, p, r1, r2).ok, false, `${size1}→${size2}: ${what} verified`);
    }
  });

  it('treats equal and empty trees as the RFC says', () => {
    const [r1, r2] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    assert.equal(verifyConsistency(0, 0, [], r1, r1).ok, true);
    assert.equal(verifyConsistency(0, 1, [], r1, r2).ok, true);
    assert.equal(verifyConsistency(1, 1, [], r2, r2).ok, true);
    assert.equal(verifyConsistency(1, 1, [], r1, r2).ok, false, 'a rewritten log: two roots for one size');
    assert.equal(verifyConsistency(1, 0, [], r1, r2).ok, false, 'a log that shrank');
    assert.equal(verifyConsistency(1, 2, [], r1, r2).ok, false, 'an empty proof between different sizes');
    assert.equal(verifyConsistency(1, 1, [EMPTY], EMPTY, EMPTY).ok, false, 'a proof where none is due');
    for (const [i, n] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ] as const)
      assert.equal(verifyInclusion(i, n, SOME, [], SOME).ok, false, `leaf ${i} of ${n}`);
    assert.equal(verifyInclusion(0, 1, leafHash(Buffer.from('data')), [], leafHash(Buffer.from('data'))).ok, true);
  });

  it('agrees with itself on every proof of every tree up to 64 leaves (a proof for another tree is refused)', async () => {
    const leaves = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
    const full = new MemoryTree(leaves);
    const roots = [] as Hash[];
    for (let n = 1; n <= 64; n++) roots.push(await rootOf(full, n));
    for (let n = 1; n <= 64; n++) {
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(full, i, n);
        assert.equal(verifyInclusion(i, n, leaves[i]!, proof, roots[n - 1]!).ok, true, `leaf ${i} of ${n}`);
        if (n < 64) assert.equal(verifyInclusion(i, n + 1, leaves[i]!, proof, roots[n]!).ok, false);
      }
      for (let m = 1; m <= n; m++) {
        const proof = await consistencyProof(full, m, n);
        assert.equal(verifyConsistency(m, n, proof, roots[m - 1]!, roots[n - 1]!).ok, true, `${m}→${n}`);
        if (m < n && m > 1) assert.equal(verifyConsistency(m - 1, n, proof, roots[m - 2]!, roots[n - 1]!).ok, false);
      }
    }
  });
});
