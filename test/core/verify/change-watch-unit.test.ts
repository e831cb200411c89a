import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeWatch } from '../../../src/core/verify/store/change-watch.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * The watcher's own promises, with real files and real inotify events: what
 * it vouches for, what drops a vouch, and that it vouches for nothing when a
 * watch cannot be set up (a real ENOSPC, in a user namespace whose inotify
 * limit is lowered).
 */
const linux = process.platform === 'linux';

describe('ChangeWatch', { skip: !linux && 'the watcher vouches on Linux only' }, () => {
  let root: string;
  before(async () => {
    root = await tempDir('aam-watch-');
  });

  /** A checker that counts sweeps and answers what the file says. */
  function subject(watch: ChangeWatch, file: string) {
    let sweeps = 0;
    const result = {};
    const check = () =>
      watch.check(
        file,
        result,
        () => [file],
        () => (sweeps++, readFileSync(file, 'utf8') === 'good'),
      );
    return { check, sweeps: () => sweeps };
  }

  it('an edit made just before a check is handled first: settle() lets its event in', async () => {
    const dir = join(root, 'settle');
    mkdirSync(dir);
    const file = join(dir, 'f');
    writeFileSync(file, 'good');
    const watch = new ChangeWatch();
    try {
      const s = subject(watch, file);
      assert.equal(s.check(), true);
      await watch.settle();
      assert.equal(s.check(), true);
      assert.equal(s.sweeps(), 1, 'vouched for: not swept');
      writeFileSync(file, 'bad');
      await watch.settle();
      assert.equal(s.check(), false, 'the edit is seen');
      assert.equal(s.sweeps(), 2);
    } finally {
      watch.close();
    }
  });

  it('a vouch expires (the periodic full check)', async () => {
    const dir = join(root, 'age');
    mkdirSync(dir);
    const file = join(dir, 'f');
    writeFileSync(file, 'good');
    // Long enough that a loaded machine cannot stall between the first two checks past it (a vouch 50 ms
    // old could expire there), short enough to wait out.
    const watch = new ChangeWatch({ maxAgeMs: 1_000 });
    try {
      const s = subject(watch, file);
      s.check();
      const vouchedBy = Date.now();
      s.check();
      assert.equal(s.sweeps(), 1);
      // Past the age by the clock the watcher reads (a timer may fire a millisecond early).
      while (Date.now() - vouchedBy < 1_050) await new Promise((resolve) => setTimeout(resolve, 60));
      s.check();
      assert.equal(s.sweeps(), 2);
    } finally {
      watch.close();
    }
  });

  it('a file with another hard link is never vouched for (a write through the other name is not seen here)', async () => {
    const dir = join(root, 'links');
    mkdirSync(dir);
    const file = join(dir, 'f');
    writeFileSync(file, 'good');
    execFileSync('ln', [file, join(root, 'other-name')]);
    const watch = new ChangeWatch();
    try {
      const s = subject(watch, file);
      s.check();
      s.check();
      assert.equal(s.sweeps(), 2);
    } finally {
      watch.close();
    }
  });

  it('when watches cannot be set up (ENOSPC), every check sweeps and an edit is caught', (t) => {
    // A user namespace of its own, whose inotify limit can be lowered without touching the machine's.
    const probe = spawnSync('unshare', ['-Ur', 'true']);
    if (probe.status !== 0) return t.skip('unshare -Ur is not available here');
    const dir = join(root, 'enospc', ...Array.from({ length: 40 }, (_, i) => `d${i}`));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'f');
    writeFileSync(file, 'good');
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      import { ChangeWatch } from ${JSON.stringify(join(import.meta.dirname, '../../../src/core/verify/store/change-watch.ts'))};
      const watch = new ChangeWatch();
      const file = ${JSON.stringify(file)};
      const result = {};
      const answers = [];
      const check = () => watch.check(file, result, () => [file], () => readFileSync(file, 'utf8') === 'good');
      answers.push(check(), check());
      writeFileSync(file, 'bad');
      await watch.settle();
      answers.push(check());
      watch.close();
      console.log(JSON.stringify({ answers, stats: watch.stats }));
    `;
    const out = execFileSync(
      'unshare',
      [
        '-Ur',
        'sh',
        '-c',
        'echo 8 > /proc/sys/user/max_inotify_watches && exec "$0" --input-type=module -e "$1"',
        process.execPath,
        script,
      ],
      { encoding: 'utf8' },
    );
    const { answers, stats } = JSON.parse(out) as { answers: boolean[]; stats: ChangeWatch['stats'] };
    assert.deepEqual(answers, [true, true, false]);
    assert.equal(stats.vouched, 0, 'nothing vouched for without its watches');
    assert.equal(stats.swept, 3);
  });

  /** Waits until the watcher has surely heard what was just done (events, then a little more). */
  const heard = async (watch: ChangeWatch) => {
    await watch.settle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await watch.settle();
  };

  it('after a burst (events possibly lost) it keeps no watch: a folder replaced meanwhile is watched anew', async () => {
    const dir = join(root, 'burst');
    mkdirSync(join(dir, 'pkg'), { recursive: true });
    const file = join(dir, 'pkg', 'f');
    writeFileSync(file, 'good');
    const watch = new ChangeWatch({ burst: 10 });
    const first = subject(watch, file);
    assert.equal(first.check(), true);
    await watch.settle();
    // A burst, and in the same turn the package's folder replaced by a copy: its rename may be among the lost events.
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `noise${i}`), 'x');
    renameSync(join(dir, 'pkg'), join(dir, 'pkg.old'));
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(file, 'good');
    await heard(watch);
    // Re-verified and vouched for again: then an edit in the new folder must still be heard.
    const second = subject(watch, file);
    assert.equal(second.check(), true);
    await watch.settle();
    writeFileSync(file, 'tampered');
    await heard(watch);
    assert.equal(second.check(), false, 'the edit in the replaced folder is caught');
    watch.close();
  });

  it('vouches for nothing under a symbolic link to a folder: the link can come to lead elsewhere', async () => {
    const base = join(root, 'link');
    mkdirSync(join(base, 'shared', 'store', 'pkg'), { recursive: true });
    writeFileSync(join(base, 'shared', 'store', 'pkg', 'f'), 'good');
    mkdirSync(join(base, 'ws'));
    symlinkSync(join(base, 'shared', 'store'), join(base, 'ws', '.aam'));
    const file = join(base, 'ws', '.aam', 'pkg', 'f');
    const watch = new ChangeWatch();
    const { check, sweeps } = subject(watch, file);
    assert.equal(check(), true);
    assert.equal(check(), true);
    assert.equal(sweeps(), 2, 'swept each time: not vouched for');
    // The link's target's parent moved aside, a tampered copy where the link leads.
    renameSync(join(base, 'shared'), join(base, 'shared.old'));
    mkdirSync(join(base, 'shared', 'store', 'pkg'), { recursive: true });
    writeFileSync(join(base, 'shared', 'store', 'pkg', 'f'), 'EVIL');
    await heard(watch);
    assert.equal(check(), false);
    watch.close();
  });
});
