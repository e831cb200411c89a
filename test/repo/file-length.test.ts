import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { justified, LINE_LIMIT, longFiles, MARKER } from './file-length.ts';
import { tempDir } from '../helpers/temp.ts';

const REPO = join(import.meta.dirname, '..', '..');

const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const x${i} = ${i};`).join('\n') + '\n';

describe(`the length of the files in src/ (at most ${LINE_LIMIT} lines)`, () => {
  it(`has no file over ${LINE_LIMIT} lines whose opening comment does not say why ("${MARKER} …")`, async () => {
    const offenders = (await longFiles(REPO)).filter((f) => !f.justified);
    assert.deepEqual(
      offenders.map((f) => `${f.path} (${f.lines} lines)`),
      [],
      `split these along their seams, or say in the file's opening comment, on a line starting "${MARKER}", why splitting would hurt`,
    );
  });

  it('finds a long file in a copy of the tree, and accepts one that says why in its first comment block', async () => {
    const root = await tempDir('aam-file-length-');
    const justification = `/**\n * A parser.\n *\n * ${MARKER} its parts share one cursor.\n */\n`;
    const files = {
      'src/core/short.ts': lines(LINE_LIMIT - 5),
      'src/core/exact.ts': lines(LINE_LIMIT),
      'src/core/long.ts': `/** A module. */\n${lines(LINE_LIMIT)}`,
      'src/core/said.ts': `import { a } from './a.ts';\n\n${justification}${lines(LINE_LIMIT)}`,
      'src/core/said-late.ts': `/** A module. */\n${lines(LINE_LIMIT)}${justification}`,
      'src/core/no-reason.ts': `/**\n * ${MARKER}\n */\n${lines(LINE_LIMIT)}`,
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    assert.deepEqual(await longFiles(root), [
      { path: 'src/core/long.ts', lines: LINE_LIMIT + 1, justified: false },
      { path: 'src/core/no-reason.ts', lines: LINE_LIMIT + 3, justified: false },
      { path: 'src/core/said-late.ts', lines: LINE_LIMIT + 6, justified: false },
      { path: 'src/core/said.ts', lines: LINE_LIMIT + 7, justified: true },
    ]);
  });

  it('reads the marker in a // comment as no justification: the opening block comment is the place', () => {
    assert.equal(justified(`// ${MARKER} one cursor.\n/** A parser. */\n`), false);
    assert.equal(justified(`/* ${MARKER} one cursor. */\n`), true);
    assert.equal(justified(`/** ${MARKER} */\n`), false);
  });
});
