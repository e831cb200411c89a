import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const ZERO = `sha256:${'0'.repeat(64)}`;

/** A pull request's lock file whose names, versions and sources carry GitHub workflow commands after line breaks. */
const HOSTILE = `lockfile_version: 1
resolved_at: '2024-01-01T00:00:00'
packages:
  "helper\\n::add-mask::failed\\n::group::All packages verified":
    version: "1.0.0\\n::error file=README.md,line=1,title=Security review::Approved by the security team"
    source: "team\\n::stop-commands::pwned"
    checksum: "${ZERO}"
    dependencies: {}
  tool:
    version: "1.0.0\\r\\n::set-output name=ok::true"
    source: team
    checksum: "${ZERO}"
    dependencies: {}
  other:
    version: 1.0.0
    source: "team\\n::warning::looks fine"
    checksum: "${ZERO}"
    dependencies: {}
`;

/** The lines a GitHub runner would run as workflow commands: it trims leading whitespace first. */
const commands = (text: string) => text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith('::'));

/**
 * `aam-trust verify` and `report` run as `run:` steps in CI, where a line of
 * output that starts with `::` is a workflow command. Lock-file data never
 * starts a line: an entry aam could not have written fails (LOCKFILE_INVALID),
 * its name quoted, and every datum is printed with its line breaks escaped.
 */
describe('aam-trust verify and report: lock-file data cannot start a line', () => {
  let root: string;
  let home: string;
  const run = (...args: string[]) =>
    cli([...args, '--project', 'repo'], { cwd: root, home, env: { GITHUB_ACTIONS: 'true' } });

  before(async () => {
    root = await tempDir('aam-lock-data-');
    home = join(root, 'home');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(root, 'repo', '.aam'), { recursive: true });
    await writeFile(join(root, 'repo', '.aam', 'aam-lock.yaml'), HOSTILE);
  });

  for (const args of [['verify'], ['verify', '--restricted'], ['report'], ['report', '--restricted']])
    it(`aam-trust ${args.join(' ')}: every entry fails as invalid, and no line is a workflow command`, async () => {
      const out = await run(...args);
      assert.equal(out.code, 1);
      assert.deepEqual(commands(out.stdout + out.stderr), []);
      assert.match(out.stdout, /"helper\\n::add-mask::failed\\n::group::All packages verified"/);
      assert.match(out.stdout, /tool@1\.0\.0\\r\\n::set-output name=ok::true/);
      if (args[0] === 'verify') {
        assert.match(out.stdout, /3 packages: 3 failed/);
        assert.match(out.stdout, /the source "team\\n::warning::looks fine", which holds control characters/);
      } else assert.match(out.stdout, /0 compliant, 3 not compliant/);
    });

  it('aam-trust diff: a pull request that brings such entries is reported, and no line is a workflow command', async () => {
    const repo = join(root, 'diffed');
    await mkdir(join(repo, '.aam'), { recursive: true });
    await writeFile(join(repo, '.aam', 'aam-lock.yaml'), 'lockfile_version: 1\npackages: {}\n');
    const git = (...args: string[]) =>
      promisify(execFile)('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
    await git('init', '-q');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    await writeFile(join(repo, '.aam', 'aam-lock.yaml'), HOSTILE);
    const out = await cli(['diff', 'HEAD', '--project', 'diffed'], {
      cwd: root,
      home,
      env: { GITHUB_ACTIONS: 'true' },
    });
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.deepEqual(commands(out.stdout + out.stderr), []);
    assert.match(out.stdout, /helper\\n::add-mask::failed/);
  });

  it('verify --json names the code and keeps the data as it is', async () => {
    const out = await run('verify', '--json');
    const packages = (JSON.parse(out.stdout) as { packages: { name: string; code: string; version: string }[] })
      .packages;
    assert.deepEqual(
      packages.map((p) => p.code),
      ['LOCKFILE_INVALID', 'LOCKFILE_INVALID', 'LOCKFILE_INVALID'],
    );
    assert.ok(packages.some((p) => p.name === 'helper\n::add-mask::failed\n::group::All packages verified'));
  });

  it('a lock file refused as a whole quotes the name it refuses', async () => {
    const refused = join(root, 'refused');
    await mkdir(join(refused, '.aam'), { recursive: true });
    await writeFile(
      join(refused, '.aam', 'aam-lock.yaml'),
      'lockfile_version: 1\npackages:\n  "x\\n::add-mask::failed": "1.0.0"\n',
    );
    const out = await cli(['verify', '--project', 'refused'], { cwd: root, home, env: { GITHUB_ACTIONS: 'true' } });
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /the entry of "x\\n::add-mask::failed" is not a mapping/);
    assert.deepEqual(commands(out.stdout + out.stderr), []);
  });
});

/** An installed package with no lock entry is reported: a run over a deleted lock file is not "0 of 0", exit 0. */
describe('aam-trust verify and report: an installed package without a lock entry', () => {
  it('fails with NOT_LOCKED, named by its folder', async () => {
    const root = await tempDir('aam-not-locked-');
    const home = join(root, 'home');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(root, 'repo', '.aam', 'packages', 'evil', 'prompts'), { recursive: true });
    await mkdir(join(root, 'repo', '.aam', 'packages', '.downloads'), { recursive: true });
    await writeFile(join(root, 'repo', '.aam', 'packages', 'evil', 'aam.yaml'), 'name: evil\nversion: 1.0.0\n');
    const verify = await cli(['verify', '--project', 'repo'], { cwd: root, home });
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /✗ evil {2}tampered — "evil" is installed in \.aam\/packages but not in the lock file/);
    assert.match(verify.stdout, /1 package: 1 failed/);
    const report = await cli(['report', '--project', 'repo', '--format', 'json'], { cwd: root, home });
    assert.equal(report.code, 1);
    const rows = (JSON.parse(report.stdout) as { rows: { name: string; code: string; compliant: boolean }[] }).rows;
    assert.deepEqual(
      rows.map((r) => [r.name, r.code, r.compliant]),
      [['evil', 'NOT_LOCKED', false]],
    );
  });
});
