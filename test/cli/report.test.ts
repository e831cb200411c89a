import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { compositionWorld } from '../helpers/composition.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';

/** The report's counts on a project of known composition: 7 by alice, 2 by bob, 1 unsigned, 1 edited. */
describe('aam-trust report', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  const report = (...args: string[]) => cli(['report', ...args], { cwd: w.project, home: w.home });

  before(async () => {
    w = await compositionWorld(local.instance());
  });

  it('JSON: totals by status (kept apart), signer and method, and which rows are not compliant', async () => {
    const run = await report('--format', 'json');
    assert.equal(run.code, 1, 'something is not compliant');
    const json = JSON.parse(run.stdout);
    assert.deepEqual(json.scope, { kind: 'projects', projects: ['.'] });
    assert.equal(json.policy, 'Strict');
    assert.deepEqual(
      { total: json.totals.total, compliant: json.totals.compliant, notCompliant: json.totals.notCompliant },
      { total: 11, compliant: 7, notCompliant: 4 },
    );
    assert.deepEqual(json.totals.byStatus, [
      { status: 'verified', label: 'verified', count: 7, notCompliant: 0 },
      { status: 'signed-untrusted', label: 'signed, untrusted', count: 2, notCompliant: 2 },
      { status: 'tampered', label: 'tampered', count: 1, notCompliant: 1 },
      { status: 'unsigned', label: 'unsigned', count: 1, notCompliant: 1 },
    ]);
    assert.deepEqual(json.totals.bySigner, [
      { signer: 'alice@example.com', count: 7 },
      { signer: 'bob@partner.example', count: 2 },
      { signer: '(not checked)', count: 1 },
      { signer: '(not signed)', count: 1 },
    ]);
    assert.deepEqual(json.totals.byMethod, [
      { method: 'sigstore', count: 9 },
      { method: 'none', count: 1 },
      { method: 'not checked', count: 1 },
    ]);
    const failing = json.rows.filter((r: { compliant: boolean }) => !r.compliant);
    assert.deepEqual(failing.map((r: { name: string; status: string }) => `${r.name}:${r.status}`).sort(), [
      'bob-1:signed-untrusted',
      'bob-2:signed-untrusted',
      'edited:tampered',
      'plain:unsigned',
    ]);
    // Each row points at its entry in the lock file.
    const lock = (await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8')).split('\n');
    for (const row of json.rows) assert.match(lock[row.lockLine - 1]!, new RegExp(`^ {2}['"]?${row.name}['"]?:$`));
  });

  it('table: the totals and the list of what is not compliant, with why', async () => {
    const { stdout } = await report();
    assert.match(
      stdout,
      /^Signing compliance: 11 packages in 1 project \(policy: Strict\)\n {2}7 compliant, 4 not compliant\n/,
    );
    assert.match(
      stdout,
      /By status:\n +PACKAGES +NOT COMPLIANT\n {2}verified +7 +0\n {2}signed, untrusted +2 +2\n {2}tampered +1 +1\n {2}unsigned +1 +1\n/,
    );
    assert.match(stdout, /By method:\n {2}sigstore +9\n {2}none +1\n {2}not checked +1\n/);
    assert.match(stdout, /By signer:\n {2}alice@example\.com +7\n {2}bob@partner\.example +2\n/);
    assert.match(stdout, /Not compliant \(4\):\n {2}WHERE +PACKAGE +STATUS +SIGNER +WHY\n/);
    assert.match(stdout, /\. +edited@1\.0\.0 +tampered +- +Installed files of edited differ/);
    assert.match(stdout, /\. +bob-1@1\.0\.0 +signed, untrusted +bob@partner\.example +Signed by bob@partner\.example/);
  });

  it('CSV: one row per package, the same counts', async () => {
    const { stdout } = await report('--format', 'csv');
    const [header, ...lines] = stdout.trimEnd().split('\r\n');
    assert.equal(
      header,
      'where,name,version,source,status,compliant,outcome,method,signer,delegations,attested,approval,yanked,published_by,code,findings,lock_line,message',
    );
    assert.equal(lines.length, 11);
    const count = (status: string) => lines.filter((l) => l.split(',')[4] === status).length;
    assert.deepEqual(
      [count('verified'), count('signed-untrusted'), count('unsigned'), count('tampered')],
      [7, 2, 1, 1],
    );
    assert.equal(lines.filter((l) => l.split(',')[5] === 'false').length, 4);
    assert.equal(lines.filter((l) => l.split(',')[8] === 'alice@example.com').length, 7);
    assert.match(
      lines.find((l) => l.startsWith('.,edited,'))!,
      /,FILES_MODIFIED,,\d+,Installed files of edited differ from what was installed \(modified: prompts\/hello\.md\)\.$/,
    );
  });

  it('HTML: one self-contained page — the data, the chart script inline, and a policy that allows no network', async () => {
    const out = join(w.root, 'report.html');
    const run = await report('--format', 'html', '--output', out);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Wrote the html report to .*report\.html \(7 compliant, 4 not compliant\)/);
    const html = await readFile(out, 'utf8');
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-[^']+'">/,
    );
    assert.doesNotMatch(
      html,
      /<script[^>]+src=|<link |https?:\/\/(?!www\.w3\.org)[^"'\s]+\.(js|css)/,
      'nothing is loaded from elsewhere',
    );
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    assert.equal(data.scope, '11 packages in 1 project');
    assert.deepEqual(
      data.report.totals.byStatus.map((s: { status: string; count: number }) => `${s.status}:${s.count}`),
      ['verified:7', 'signed-untrusted:2', 'tampered:1', 'unsigned:1'],
    );
    assert.match(html, /Chart\.js v4/, 'the charting library travels inside the page');
  });

  it('over many projects (--projects GLOB): each verified under its own policy, rows say where', async () => {
    await cp(w.project, join(w.root, 'repos', 'one'), { recursive: true });
    await cp(w.project, join(w.root, 'repos', 'two'), { recursive: true });
    await w.writeGlobalConfig(''); // a policy of defaults: Moderate
    const run = await cli(['report', '--projects', 'repos/*', '--json'], { cwd: w.root, home: w.home });
    const json = JSON.parse(run.stdout);
    assert.deepEqual(json.scope.projects, ['repos/one', 'repos/two']);
    assert.equal(json.totals.total, 22);
    assert.deepEqual(
      json.rows.filter((r: { name: string }) => r.name === 'edited').map((r: { where: string }) => r.where),
      ['repos/one', 'repos/two'],
    );
    const none = await cli(['report', '--projects', 'nowhere/*'], { cwd: w.root, home: w.home });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No project matches nowhere\/\*/);
  });
});
