import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { runCli } from '../../src/cli/main.ts';
import { forTerminal, paint, visible } from '../../src/cli/io.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { makeWorld } from '../helpers/workspace.ts';
import { cli } from '../helpers/cli.ts';

/** Anything a terminal acts on: C0 but LF and TAB, DEL, C1, bidi controls, line and paragraph separators. */
// oxlint-disable-next-line no-control-regex -- these are what must not reach the terminal
const ACTED_ON = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const colored = { color: true } as CliIo;

describe('what the CLI writes for a terminal (visible)', () => {
  it('writes every control, C1 and bidi character visibly, as a JSON string would escape it', () => {
    const cases: [string, string][] = [
      ['\u001b[2K', '\\u001b[2K'],
      ['a\rb', 'a\\rb'],
      ['\u0007\b\f\u000b\u0000\u007f', '\\u0007\\b\\f\\u000b\\u0000\\u007f'],
      ['\u009b2K \u0085', '\\u009b2K \\u0085'],
      ['evil\u202egpj.md', 'evil\\u202egpj.md'],
      ['\u2066\u2067\u2068\u2069\u200e\u200f\u061c', '\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c'],
      ['one\u2028two\u2029', 'one\\u2028two\\u2029'],
    ];
    for (const [raw, shown] of cases) {
      assert.equal(visible(raw, false), shown);
      assert.equal(visible(raw, true), shown);
    }
  });

  it('keeps LF, TAB, a CRLF line end and ordinary text as they are', () => {
    const text = 'line\tcell\r\n✓ @acme/tool@1.0.0 — verified → 日本語 🙂\n';
    assert.equal(visible(text, false), text);
    assert.equal(visible(text, true), text);
  });

  it("keeps exactly paint()'s own colour sequences with colours on, and no escape sequence with colours off", () => {
    for (const code of ['green', 'yellow', 'red', 'dim', 'bold'] as const) {
      const painted = paint(colored, code, 'x');
      assert.equal(visible(painted, true), painted);
      assert.doesNotMatch(visible(painted, false), ACTED_ON);
    }
    const foreign = [
      '\u001b[8m', // conceal
      '\u001b[28m',
      '\u001b[31;8m',
      '\u001b[38;5;1m',
      '\u001b[2K', // erase the line
      '\u001b[1A', // cursor up
      '\u001b[1G',
      '\u001b]8;;https://evil.example\u0007', // OSC 8 hyperlink
      '\u001b]0;title\u001b\\',
      '\u001bc', // reset the terminal
      '\u001b[32', // a colour cut short
      '\u001b',
    ];
    for (const sequence of foreign) assert.doesNotMatch(visible(sequence, true), ACTED_ON, JSON.stringify(sequence));
  });

  it('leaves JSON valid, with the same values, and byte for byte when it holds no DEL, C1 or bidi control', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('');
    const value = { name: `x${all}\u202e\u2066\u2028`, nested: [{ version: '1.0.0\u001b[2K\r✓' }] };
    const json = JSON.stringify(value, null, 2);
    assert.deepEqual(JSON.parse(visible(json, false)), value);
    assert.doesNotMatch(visible(json, false), ACTED_ON);
    const plain = JSON.stringify({ name: '@acme/tool', message: 'a "quoted"\n\tline\r\n\u001b[2K' }, null, 2);
    assert.equal(visible(plain, false), plain);
  });
});

describe('forTerminal: the io every command writes through', () => {
  it('escapes what is written and every prompt, passes answers back unchanged, and adds no way to ask', async () => {
    const written: string[] = [];
    const prompts: string[] = [];
    const io: CliIo = {
      stdout: (t) => void written.push(t),
      stderr: (t) => void written.push(t),
      env: {},
      cwd: '/',
      homeDir: '/',
      color: false,
      askSecret: async (p) => (prompts.push(p), 'secret\u001b'),
      askLine: async (p) => (prompts.push(p), 'code'),
      ask: async (p) => (prompts.push(p), 'y'),
      openUrl: async () => undefined,
    };
    const safe = forTerminal(io);
    safe.stdout('a\u001b[2Kb\n');
    safe.stderr('c\rd\n');
    assert.deepEqual(written, ['a\\u001b[2Kb\n', 'c\\rd\n']);
    assert.equal(await safe.askSecret('Passphrase for \u001b[8mkey: '), 'secret\u001b');
    assert.equal(await safe.askLine?.('Code \u202e: '), 'code');
    assert.equal(await safe.ask?.('Install evil\r@1? [y/N] '), 'y');
    assert.deepEqual(prompts, ['Passphrase for \\u001b[8mkey: ', 'Code \\u202e: ', 'Install evil\\r@1? [y/N] ']);

    const bare = forTerminal({ ...io, ask: undefined, askLine: undefined });
    assert.equal(bare.ask, undefined, 'no terminal to ask on stays no terminal');
    assert.equal(bare.askLine, undefined);
  });
});

/** A project with one good package, and a lock entry a pull request added whose version rewrites the line. */
async function hostileLock() {
  const w = await makeWorld();
  const { verifier } = await w.services();
  const good = await w.makePackage('@acme/good', '1.0.0');
  await publishPackage({ packageDir: good, registry: w.registry, signing: undefined, verifier });
  await installPackages(['@acme/good@1.0.0'], { ...(await w.services()), registry: w.registry, homeDir: w.home });
  const lockPath = join(w.project, '.aam', 'aam-lock.yaml');
  // Reveal, erase the line, go to its start, write a pass, conceal the rest; a bidi override for good measure.
  const version = '1.0.0\\e[28m\\e[2K\\r✓ evil@1.0.0  verified\\u202e\\e[8m';
  const lock = (await readFile(lockPath, 'utf8')).replace(
    'packages:\n',
    `packages:\n  evil:\n    version: "${version}"\n    source: team\n    checksum: sha256:${'0'.repeat(64)}\n    dependencies: {}\n`,
  );
  await writeFile(lockPath, lock);
  return { w, raw: '1.0.0\u001b[28m\u001b[2K\r✓ evil@1.0.0  verified\u202e\u001b[8m' };
}

describe('aam-trust verify on a lock entry whose version holds escape sequences', () => {
  it('shows the version escaped on the failing line, and writes nothing a terminal acts on', async () => {
    const { w } = await hostileLock();
    const run = await cli(['verify'], { cwd: w.project, home: w.home });
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout + run.stderr, ACTED_ON);
    const line = run.stdout.split('\n').find((l) => l.includes('evil@'))!;
    assert.match(line, /^✗ evil@1\.0\.0\\u001b\[28m\\u001b\[2K\\r✓ evil@1\.0\.0 {2}verified\\u202e\\u001b\[8m/);
  });

  it('keeps the JSON report valid, with the version as the lock file has it', async () => {
    const { w, raw } = await hostileLock();
    const run = await cli(['verify', '--json'], { cwd: w.project, home: w.home });
    assert.doesNotMatch(run.stdout, ACTED_ON);
    const json = JSON.parse(run.stdout) as { packages: { name: string; version: string }[] };
    assert.equal(json.packages.find((p) => p.name === 'evil')?.version, raw);
  });

  it("with colours on, lets through paint()'s colours and no other escape sequence", async () => {
    const { w } = await hostileLock();
    let out = '';
    const code = await runCli(['verify'], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      env: {},
      cwd: w.project,
      homeDir: w.home,
      color: true,
      askSecret: async () => undefined,
      openUrl: async () => undefined,
    });
    assert.equal(code, 1);
    // The package's own line: painted as failing, its label bold, the version's sequences shown as text.
    assert.ok(out.includes(`${paint(colored, 'red', '✗')} \u001b[1mevil@1.0.0\\u001b[28m\\u001b[2K\\r✓ evil`), out);
    // Every ESC written starts one of the sequences paint() writes (its colour, or the reset after it).
    const painted = new Set(
      (['green', 'yellow', 'red', 'dim', 'bold'] as const).flatMap((c) => paint(colored, c, 'x').split('x')),
    );
    const sequences = out
      .split('\u001b')
      .slice(1)
      .map((rest) => `\u001b${/^\[[0-9;]*[A-Za-z]?/.exec(rest)?.[0] ?? ''}`);
    assert.ok(sequences.length > 0);
    for (const sequence of sequences) assert.ok(painted.has(sequence), JSON.stringify(sequence));
  });
});

describe('an error message that carries data', () => {
  it('reaches stderr escaped', async () => {
    const w = await makeWorld();
    await w.writeGlobalConfig('');
    const run = await cli(['diff', 'main\u001b]0;owned\u0007\u001b[1A'], { cwd: w.project, home: w.home });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /"main\\u001b\]0;owned\\u0007\\u001b\[1A" is not a git revision/);
    assert.doesNotMatch(run.stderr, ACTED_ON);
  });
});
