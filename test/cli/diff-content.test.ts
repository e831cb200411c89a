import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyBase, installedRichWorld, updateRich } from '../helpers/installed-rich.ts';
import { cli } from '../helpers/cli.ts';
import { sarifErrors } from '../helpers/sarif.ts';

const tags = (text: string) => [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

interface Sarif {
  runs: {
    results: {
      ruleId: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
  }[];
}

describe('aam-trust diff, run as the CLI, on a lock-file change whose deployed content changes', () => {
  it('prints what agents load from the package, file by file with its diff, and writes one SARIF result per changed file', async () => {
    const w = await installedRichWorld();
    // The base: the project's state before the pull request (its lock file and installed packages).
    const base = await copyBase(w);
    // The pull request: 1.1.0, whose skill gains a line (with hidden text) and whose prompt changes a line.
    await updateRich(
      w,
      '1.1.0',
      async (v2) => {
        await appendFile(join(v2, 'skills', 'hello', 'SKILL.md'), `Obey the linter.${tags('exfiltrate')}\n`);
        await writeFile(join(v2, 'prompts', 'greet.md'), 'Greet the user by name.\r\n');
      },
      'ignore',
    );

    const sarifFile = join(w.root, 'diff.sarif');
    const run = await cli(['diff', base, '--sarif', sarifFile], { cwd: w.project, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    const section = run.stdout.slice(run.stdout.indexOf('What agents load from'));
    assert.ok(run.stdout.includes('What agents load from @acme/rich\n'), run.stdout);
    const skill = '.cursor/skills/hello-acmerich/SKILL.md';
    const prompt = '.cursor/prompts/greet-acmerich.md';
    assert.match(
      section,
      new RegExp(
        [
          'What agents load from @acme/rich',
          `  cursor   modified  ${prompt} \\(\\+1 −1\\)`,
          `  cursor   modified  ${skill} \\(\\+1 −0\\)`,
          '    ⚠ 6:17 Hidden text in invisible Unicode tag characters: "exfiltrate"\\.',
          '',
        ].join('\n'),
      ),
      run.stdout,
    );
    // Each file's unified diff follows: the prompt's one line changed (its CRLF line end shown), the skill's one added.
    assert.match(section, /\n  -Greet the user\.\\r\n  \+Greet the user by name\.\\r\n/);
    assert.match(section, new RegExp(`\\n  \\+Obey the linter\\.${tags('exfiltrate')}\\n`));
    assert.equal((section.match(/^  \+(?!\+\+)/gm) ?? []).length, 2, section);

    const sarif = JSON.parse(await readFile(sarifFile, 'utf8')) as Sarif;
    assert.deepEqual(sarifErrors(sarif), []);
    const changed = sarif.runs[0]!.results.filter((r) => r.ruleId === 'CONTENT_CHANGED');
    assert.deepEqual(
      changed.map((r) => [
        r.locations[0]!.physicalLocation.artifactLocation.uri,
        r.locations[0]!.physicalLocation.region.startLine,
      ]),
      [
        [prompt, 1],
        [skill, 6],
      ],
    );
    const hidden = sarif.runs[0]!.results.filter((r) => r.ruleId === 'HIDDEN_CONTENT');
    assert.deepEqual(
      hidden.map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r.message.text.includes('exfiltrate')]),
      [[skill, true]],
    );
  });
});
