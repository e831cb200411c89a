import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { signersWorld } from '../helpers/signers.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/** Every file under `dir` with its SHA-256: what a failed install must leave exactly as it was. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out.push(
      entry.isFile()
        ? `${path.slice(dir.length)} ${createHash('sha256')
            .update(await readFile(path))
            .digest('hex')}`
        : `${path.slice(dir.length)}/`,
    );
  }
  return out.sort();
}

/**
 * A version that carries a broken co-signature beside the trusted one that
 * decides its verdict: verify fails it under on_signature_failure: error and
 * warns under warn (EXTRA_SIGNATURE_INVALID). Install decides it the same
 * way, before anything is written, so it never installs what verify fails.
 */
describe('install and a broken extra signature', () => {
  const local = useLocalSigstore();

  /** `tool@1.0.0` signed by key A (trusted, with Sigstore beside it), plus a key-B "signature" over other bytes. */
  const world = async (mode: 'error' | 'warn') => {
    const s = await signersWorld(
      local,
      (k) => `trusted_keys: ["${k.a}"]\ntrusted_identities: ["alice@example.com"]\non_signature_failure: ${mode}`,
    );
    await s.publish('tool', '1.0.0', [s.sigstore('alice@example.com'), s.gpg('a')]);
    await s.publish('other', '1.0.0', [s.gpg('a')]);
    // Key B is in the keyring, but what is stored as its signature signs other bytes: a forgery, not a stranger.
    await s.forgeSignature('tool', '1.0.0');
    const run = (...args: string[]) => cli(args, { cwd: s.w.project, home: s.w.home });
    return { s, run };
  };

  it('under on_signature_failure: error … install refuses, names the signature and what to do, and writes nothing', async () => {
    const { s, run } = await world('error');
    const first = await run('install', 'other', '--platform', 'claude');
    assert.equal(first.code, 0, first.stderr);
    const before = await tree(s.w.project);
    assert.ok(
      before.some((line) => line.startsWith('/.claude/')),
      'other is deployed: there is a tree to keep',
    );

    const refused = await run('install', 'tool', '--platform', 'claude');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      /tool@1\.0\.0: One of its signatures is not valid: 1\.0\.0\.aam\.2\.asc: the signature does not match this archive\./,
    );
    assert.match(refused.stderr, /✗ tool@1\.0\.0: EXTRA_SIGNATURE_INVALID/);
    assert.match(refused.stderr, /Ask the registry owner why a signature that does not verify is stored/);
    assert.match(refused.stderr, /Nothing was installed\./);
    assert.doesNotMatch(refused.stdout, /Extracting|Deploying|Installed/);
    assert.deepEqual(
      await tree(s.w.project),
      before,
      'the project (lock file, packages, deployed copies) is unchanged',
    );

    const reviewed = await run('install', 'tool', '--review', '--yes', '--platform', 'claude');
    assert.equal(reviewed.code, 1, 'a reviewed install refuses it too');
    assert.match(reviewed.stderr, /EXTRA_SIGNATURE_INVALID/);
    assert.deepEqual(await tree(s.w.project), before);

    // What judges the registry's version as an install would says so too: the report and info fail it.
    const report = await run('report', '--registry', 'team', '--json');
    assert.equal(report.code, 1, report.stdout);
    const rows = (JSON.parse(report.stdout) as { rows: { name: string; compliant: boolean; findings: string[] }[] })
      .rows;
    assert.deepEqual(rows.map((r) => `${r.name} ${r.compliant} ${r.findings.join(',')}`).sort(), [
      'other true ',
      'tool false EXTRA_SIGNATURE_INVALID',
    ]);
    const info = await run('info', 'tool', '--registry', 'team');
    assert.equal(info.code, 1, info.stdout);
    assert.match(info.stdout, /✗ One of its signatures is not valid: 1\.0\.0\.aam\.2\.asc/);
  });

  it('under on_signature_failure: warn … install installs, and warns as verify does', async () => {
    const { s, run } = await world('warn');
    const installed = await run('install', 'tool', '--platform', 'claude');
    assert.equal(installed.code, 0, installed.stderr);
    const warning =
      /⚠ One of its signatures is not valid: 1\.0\.0\.aam\.2\.asc: the signature does not match this archive\.\n {4}expected: every signature stored with the package to verify/;
    assert.match(installed.stdout, /✓ tool@1\.0\.0 +verified/);
    assert.match(installed.stdout, warning);
    assert.match(installed.stdout, /✓ Installed tool@1\.0\.0/);
    const lock = await readFile(join(s.w.project, '.aam', 'aam-lock.yaml'), 'utf8');
    assert.match(lock, /^ {2}tool:$/m);

    const verified = await run('verify', '--no-cache');
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, warning, 'verify says the same warning');

    const json = await run('install', 'tool', '--force', '--no-deploy', '--json');
    assert.equal(json.code, 0, json.stderr);
    const [item] = (JSON.parse(json.stdout) as { installed: { findings: { code: string; action: string }[] }[] })
      .installed;
    assert.deepEqual(
      item!.findings.map((f) => `${f.code}/${f.action}`),
      ['EXTRA_SIGNATURE_INVALID/warn'],
    );
  });
});
