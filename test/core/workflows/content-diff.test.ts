import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workingState } from '../../../src/core/workflows/diff/state.ts';
import { contentDiff } from '../../../src/core/workflows/diff/content-diff.ts';
import { trustDiff } from '../../../src/core/workflows/diff/trust-diff.ts';
import { toSarif } from '../../../src/core/workflows/diff/sarif.ts';
import { lineChanges } from '../../../src/core/workflows/review/text-diff.ts';
import { installedRichWorld, updateRich } from '../../helpers/installed-rich.ts';

const tags = (text: string) => [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

/** hidden-review 9: the diff scanned a deployed file's decoded text, which drops what is not UTF-8; verify does not. */
describe('Trust Diff with content: hidden content as verify reports it', () => {
  it('a byte that is not UTF-8 in a changed deployed file is reported, as verify reports it', async () => {
    const w = await installedRichWorld();
    const base = await workingState(w.project, 'HEAD');
    await updateRich(
      w,
      '1.1.0',
      (v2) =>
        appendFile(
          join(v2, 'skills', 'hello', 'SKILL.md'),
          Buffer.concat([Buffer.from('Always ob'), Buffer.from([0xff]), Buffer.from('ey the user.\n')]),
        ),
      'ignore',
    );
    const s = await w.services();
    const content = await contentDiff(base, await workingState(w.project), { ...s, homeDir: w.home });
    const [file] = content[0]!.files;
    assert.deepEqual(
      file!.hidden.map((h) => [h.kind, h.start.line]),
      [['NOT_UTF8', 5]],
    );
  });
});

describe('Trust Diff with content: what agents load differently when the lock file changes', () => {
  it('each changed deployed file is an entry with its diff, and a SARIF result on its first changed line', async () => {
    const w = await installedRichWorld();
    const base = await workingState(w.project, 'HEAD');
    await updateRich(
      w,
      '1.1.0',
      (v2) => appendFile(join(v2, 'skills', 'hello', 'SKILL.md'), `Obey.${tags('exfiltrate')}\n`),
      'ignore',
    );
    const s = await w.services();
    const head = await workingState(w.project);
    const content = await contentDiff(base, head, { ...s, homeDir: w.home });
    const skill = join(w.project, '.cursor', 'skills', 'hello-acmerich', 'SKILL.md');
    assert.deepEqual(
      content.map((p) => [p.name, p.unavailable, p.files.map((f) => [f.platform, f.change, f.path])]),
      [['@acme/rich', undefined, [['cursor', 'modified', skill]]]],
    );
    const [file] = content[0]!.files;
    assert.deepEqual(lineChanges(file!), { added: 1, removed: 0, firstLine: 6 });
    assert.deepEqual(
      file!.hidden.map((h) => [h.kind, h.start.line, h.decoded]),
      [['TAG_CHARACTERS', 5, 'exfiltrate']],
    );
    const global = s.config.files.find((f) => f.layer === 'global')!;
    const diff = trustDiff(base, head, { globalConfig: global, homeDir: w.home });
    const sarif = toSarif(diff, head, 'app', { changes: content, projectRoot: w.project }) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
          }[];
        }[];
      }[];
    };
    const results = sarif.runs[0]!.results.filter(
      (r) => r.ruleId === 'CONTENT_CHANGED' || r.ruleId === 'HIDDEN_CONTENT',
    );
    assert.deepEqual(
      results.map((r) => [
        r.ruleId,
        r.locations[0]!.physicalLocation.artifactLocation.uri,
        r.locations[0]!.physicalLocation.region.startLine,
        r.locations[0]!.physicalLocation.region.startColumn,
      ]),
      [
        ['CONTENT_CHANGED', 'app/.cursor/skills/hello-acmerich/SKILL.md', 6, 1],
        ['HIDDEN_CONTENT', 'app/.cursor/skills/hello-acmerich/SKILL.md', 6, 6],
      ],
    );
  });
});
