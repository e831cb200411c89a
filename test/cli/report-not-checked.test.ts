import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { sarifErrors } from '../helpers/sarif.ts';
import { tempDir } from '../helpers/temp.ts';

interface Unchecked {
  where: string;
  what: string;
  status: string;
  reason: string;
  next: string;
}

/**
 * A project the report could not verify — a broken policy, a lock file that
 * does not parse — is never compliant: the report exits 1 (as verify does),
 * does not say "Everything is compliant.", and names it with the next step
 * in every format.
 */
describe('aam-trust report: a project that could not be checked', () => {
  let root: string;
  let home: string;
  const report = (...args: string[]) => cli(['report', ...args], { cwd: root, home });

  before(async () => {
    root = await tempDir('aam-report-unchecked-');
    home = join(root, 'home');
    await mkdir(home, { recursive: true });
    for (const name of ['good', 'policy', 'lock']) await mkdir(join(root, 'repos', name, '.aam'), { recursive: true });
    const empty = 'lockfile_version: 1\npackages: {}\n';
    await writeFile(join(root, 'repos', 'good', '.aam', 'aam-lock.yaml'), empty);
    await writeFile(join(root, 'repos', 'policy', '.aam', 'aam-lock.yaml'), empty);
    await writeFile(join(root, 'repos', 'policy', '.aam', 'config.yaml'), 'security:\n  require_signature: maybe\n');
    await writeFile(join(root, 'repos', 'lock', '.aam', 'aam-lock.yaml'), 'lockfile_version: 1\npackages: [unclosed\n');
  });

  it('the control: a healthy project alone is compliant', async () => {
    const run = await report('--project', 'repos/good');
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /\nEverything is compliant\.\n$/);
  });

  it('table: exits 1, names each project not checked with why and what next, never "Everything is compliant."', async () => {
    const run = await report('--projects', 'repos/*');
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /Everything is compliant/);
    assert.match(run.stdout, /^ {2}0 compliant, 0 not compliant, 2 projects not checked$/m);
    assert.match(
      run.stdout,
      // On one line, its breaks written out: a project's folder name is part of it (see the last test).
      /⚠ repos\/policy: not checked: The security policy has errors:\\n\S*config\.yaml:2:22: error WRONG_TYPE: security\.require_signature must be a boolean.*\n {4}Next: Fix these settings/,
    );
    assert.match(
      run.stdout,
      /⚠ repos\/lock: not checked: .*aam-lock\.yaml is not valid YAML.*\n {4}Next: Restore repos\/lock\/\.aam\/aam-lock\.yaml .*aam-trust verify --project repos\/lock\./,
    );
    assert.match(run.stdout, /\nNot compliant: 2 projects not checked \(⚠ above\); no package checked fails\.\n$/);
    // verify says the same of the same project.
    assert.equal((await cli(['verify', '--project', 'repos/policy'], { cwd: root, home })).code, 1);
  });

  it('JSON, CSV, HTML and SARIF list it as "not checked"', async () => {
    const json = await report('--projects', 'repos/*', '--json');
    assert.equal(json.code, 1);
    const data = JSON.parse(json.stdout) as { totals: { notChecked: number }; unchecked: Unchecked[] };
    assert.equal(data.totals.notChecked, 2);
    assert.deepEqual(
      data.unchecked.map((u) => [u.where, u.what, u.status]),
      [
        ['repos/lock', 'project', 'not checked'],
        ['repos/policy', 'project', 'not checked'],
      ],
    );
    assert.ok(data.unchecked.every((u) => u.reason.length > 0 && u.next.length > 0));
    assert.match(json.stderr, /✗ repos\/policy: not checked: [^]*\n {2}Next: Fix these settings/);

    const csv = await report('--projects', 'repos/*', '--format', 'csv');
    assert.equal(csv.code, 1);
    const lines = csv.stdout.trimEnd().split('\r\n').slice(1);
    assert.deepEqual(
      lines.map((l) => l.split(',').slice(0, 8).join(',')),
      [
        'repos/lock,,,project,not checked,false,fail,not checked',
        'repos/policy,,,project,not checked,false,fail,not checked',
      ],
    );

    const html = await report('--projects', 'repos/*', '--format', 'html', '--output', 'report.html');
    assert.equal(html.code, 1);
    assert.match(html.stderr, /\(0 compliant, 0 not compliant, 2 projects not checked\)/);
    const page = await readFile(join(root, 'report.html'), 'utf8');
    const embedded = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1]!);
    assert.deepEqual(embedded.report.unchecked, data.unchecked);

    const sarif = await report('--projects', 'repos/*', '--sarif', 'out.sarif');
    assert.equal(sarif.code, 1);
    const log = JSON.parse(await readFile(join(root, 'out.sarif'), 'utf8'));
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(
      log.runs[0].results.map(
        (r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}`,
      ),
      ['NOT_CHECKED repos/lock/.aam/aam-lock.yaml', 'NOT_CHECKED repos/policy/.aam/aam-lock.yaml'],
    );
  });

  it("writes a folder's line breaks out, so its name cannot start a line a CI runner reads as a command", async () => {
    const evil = join(root, 'repos', 'ok\n::stop-commands::pwned\n::error title=x::Everything is compliant');
    await mkdir(join(evil, '.aam'), { recursive: true });
    await writeFile(join(evil, '.aam', 'aam-lock.yaml'), 'lockfile_version: 1\npackages: [\n::error::x\n');
    for (const args of [['--format', 'json'], []]) {
      const run = await report('--projects', 'repos/*', ...args);
      assert.equal(run.code, 1);
      const text = `${run.stdout}\n${run.stderr}`;
      assert.match(text, /ok\\n::stop-commands::pwned\\n::error title=x::Everything is compliant/, text);
      for (const line of text.split('\n')) assert.doesNotMatch(line, /^\s*::/, text);
    }
  });
});
