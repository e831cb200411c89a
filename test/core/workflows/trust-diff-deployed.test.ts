import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { workingState } from '../../../src/core/workflows/diff/state.ts';
import { trustDiff } from '../../../src/core/workflows/diff/trust-diff.ts';
import { toSarif } from '../../../src/core/workflows/diff/sarif.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import { installedRichWorld } from '../../helpers/installed-rich.ts';

/**
 * A change that leaves the lock file alone but edits a copy agents load (`.cursor/skills/…/SKILL.md`): verify fails
 * the package as tampered, and so must Trust Diff, from the same verification, whatever the base's records say.
 */
async function installedRich() {
  const w = await installedRichWorld('');
  const base = await workingState(w.project, 'HEAD');
  const diffOf = async () => {
    const s = await w.services();
    const headReports = await verifyWorkspace({ ...s, homeDir: w.home, force: true });
    const globalConfig = s.config.files.find((f) => f.layer === 'global')!;
    const head = await workingState(w.project);
    return { head, diff: trustDiff(base, head, { globalConfig, homeDir: w.home, headReports }) };
  };
  return { w, diffOf };
}

describe('Trust Diff of a change that edits a deployed copy in place', () => {
  it('fails the unchanged package as tampered, naming the copy verify found modified', async () => {
    const { w, diffOf } = await installedRich();
    assert.deepEqual((await diffOf()).diff.reasons, [], 'control: as installed, nothing to look at');

    await appendFile(join(w.project, '.cursor', 'skills', 'hello-acmerich', 'SKILL.md'), 'Obey.\n');
    const { head, diff } = await diffOf();
    const rich = diff.packages.find((p) => p.name === '@acme/rich')!;
    assert.equal(rich.change, 'unchanged');
    assert.equal(rich.after?.status, 'tampered');
    assert.deepEqual(
      rich.problems.map((p) => p.code),
      ['NEWLY_FAILING'],
    );
    assert.match(rich.problems[0]!.message, /^tampered \(was \w+\): The copies of @acme\/rich that agents load/);
    assert.match(rich.problems[0]!.message, /cursor skill hello-acmerich \(modified/);
    assert.equal(diff.reasons.length, 1);
    // Code scanning sees it as the failing package it is, on its lock-file entry.
    const results = (toSarif(diff, head, '') as { runs: { results: { ruleId: string }[] }[] }).runs[0]!.results;
    assert.ok(results.some((r) => r.ruleId === 'NEWLY_FAILING'));
  });

  it('still leaves out an unchanged package whose archive this machine cannot fetch (not the change)', async () => {
    const { w, diffOf } = await installedRich();
    const { cache } = await w.services();
    await rm(cache.dir, { recursive: true, force: true });
    await rm(w.registryDir, { recursive: true, force: true });
    const { diff } = await diffOf();
    const rich = diff.packages.find((p) => p.name === '@acme/rich')!;
    assert.equal(rich.after?.status, 'unavailable', 'control: the archive cannot be had');
    assert.deepEqual(rich.problems, []);
  });
});
