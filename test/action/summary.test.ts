import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { publishedMarkdown, summaryMarkdown } from '../../src/action/summary.ts';
import type { ComplianceReport, ComplianceRow } from '../../src/core/workflows/report/model.ts';
import { rendered } from '../helpers/rendered-markdown.ts';

/**
 * The job summary quotes what a pull request writes in the lock file (names,
 * versions) and what verification found (signers, findings, messages).
 * GitHub renders it with cmark-gfm: a table row is split into cells at each
 * `|` that a backslash does not escape, `\|` is then unescaped, and each cell
 * is parsed as CommonMark inlines (with GFM's bare autolinks, which the
 * rendered() helper looks for in the source of each text run).
 */

/** Markdown and HTML that each tries another way out of its cell, its code span or into a link. */
const HOSTILE = {
  name: 'evil``x` [n](https://evil.example/n) <img src=x onerror=alert(1)>',
  version: '1.0.0` [v](command:workbench.action.terminal.sendSequence) `',
  signer:
    'm@evil.example <!-- hidden --> <details><summary>ok</summary>x</details> https://evil.example www.evil.example',
  message:
    'Fine \\| [x](https://evil.example) |[y](https://evil.example)| ![i](https://evil.example/i.png) **b** &lt;b&gt; $x$\n# heading\r<script>x</script>',
  finding: 'A_B | [f](https://evil.example/f)',
};

function row(fields: Partial<ComplianceRow>): ComplianceRow {
  return {
    where: 'project',
    name: 'good',
    version: '1.2.3',
    source: 'team',
    status: 'signed-untrusted',
    compliant: false,
    outcome: 'fail',
    method: 'sigstore',
    signer: 'alice@example.com',
    attested: undefined,
    code: 'UNTRUSTED_SIGNER',
    message: 'Signed by alice@example.com, who is not in trusted_identities.',
    findings: [],
    ...fields,
  };
}

function report(rows: ComplianceRow[], unchecked: ComplianceReport['unchecked'] = []): ComplianceReport {
  return {
    generatedAt: '2026-12-01T00:00:00.000Z',
    scope: { kind: 'projects', projects: ['project'] },
    policy: 'Strict',
    unchecked,
    totals: {
      total: rows.length,
      compliant: 0,
      notCompliant: rows.length,
      byStatus: [
        { status: 'signed-untrusted', label: 'signed, untrusted', count: rows.length, notCompliant: rows.length },
      ],
      bySigner: [],
      byMethod: [],
      notChecked: unchecked.length,
    },
    rows,
  };
}

/**
 * A table row's cells, split at each `|` a backslash does not escape (a backslash takes the punctuation after it
 * along, so `\\|` splits, as in marked; cmark-gfm splits at fewer), then `\|` unescaped as cmark-gfm does.
 */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && /[!-/:-@[-`{-~]/.test(line[i + 1] ?? '')) cell += line.slice(i, ++i + 1);
    else if (line[i] === '|') {
      out.push(cell);
      cell = '';
    } else cell += line[i];
  }
  return [...out, cell].slice(1, -1).map((c) => c.replace(/\\\|/g, '|').trim());
}

/** The Not compliant table's rows, each as its cells. */
function failingRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('| Package | Status | Signer | Why |') + 2;
  const end = lines.indexOf('', start);
  return lines.slice(start, end === -1 ? undefined : end).map(cells);
}

/** What a cell shows, after asserting it holds no link, image, HTML or autolink of the data's own. */
function shown(cell: string): string {
  const r = rendered(cell, false);
  assert.deepEqual(
    { links: r.links, images: r.images, html: r.html, autolinks: r.autolinks },
    {
      links: [],
      images: [],
      html: [],
      autolinks: [],
    },
    cell,
  );
  return r.text.trim();
}

/** The one inline code span a cell is, and its content. */
function codeOf(cell: string): string {
  const paragraph = fromMarkdown(cell).children[0] as { type: string; children: { type: string; value: string }[] };
  assert.deepEqual(
    paragraph.children.map((c) => c.type),
    ['inlineCode'],
    cell,
  );
  return paragraph.children[0]!.value;
}

const oneLine = (text: string) => text.replace(/\r\n?|\n/g, ' ');

describe('the job summary (summaryMarkdown)', () => {
  it("shows a normal row in the same words, the package as code, but makes no link of its signer's email", () => {
    const markdown = summaryMarkdown(report([row({ findings: ['SIGNER_CHANGED'] })]), {
      project: 'project',
      restricted: true,
    });
    const [cellsOf] = failingRows(markdown);
    assert.equal(cellsOf![0], '`good@1.2.3`');
    assert.deepEqual(cellsOf!.map(shown), [
      'good@1.2.3',
      'signed, untrusted',
      'alice@example.com',
      'SIGNER_CHANGED · Signed by alice@example.com, who is not in trusted_identities.',
    ]);
    assert.match(markdown, /^Project `project` · policy: Strict · restricted/m);
  });

  it('keeps a hostile name, version, signer, finding and message in their cells, as text: no link, tag or way out of the code span', () => {
    const hostile = row({
      name: HOSTILE.name,
      version: HOSTILE.version,
      signer: HOSTILE.signer,
      signers: [HOSTILE.signer, 'second|[s](https://evil.example/s)'],
      findings: [HOSTILE.finding],
      message: HOSTILE.message,
    });
    const piped = row({ name: 'a|b', version: '1\\|[p](https://evil.example/p)' });
    const markdown = summaryMarkdown(report([hostile, piped]), {
      project: 'p`[x](https://evil.example)',
      restricted: false,
    });
    // Rows come by name: the piped one first.
    const [second, first] = failingRows(markdown);
    assert.equal(first!.length, 4, first!.join(' ‖ '));
    assert.equal(codeOf(first![0]!), `${HOSTILE.name}@${HOSTILE.version}`);
    assert.deepEqual(first!.slice(1).map(shown), [
      'signed, untrusted',
      `${HOSTILE.signer} + second|[s](https://evil.example/s)`,
      oneLine(`${HOSTILE.finding} · ${HOSTILE.message}`),
    ]);
    // A pipe cannot be held in a code span in a table: such a package is shown as text, still in its cell.
    assert.equal(second!.length, 4, second!.join(' ‖ '));
    assert.equal(shown(second![0]!), 'a|b@1\\|[p](https://evil.example/p)');
    const project = markdown.split('\n').find((l) => l.startsWith('Project '))!;
    assert.equal(codeOf(project.slice('Project '.length, project.indexOf(' · '))), 'p`[x](https://evil.example)');
  });

  it("says what was not checked, and why, as text: a reason's Markdown and HTML stay words", () => {
    const unchecked = [
      {
        where: 'project',
        what: 'project' as const,
        status: 'not checked' as const,
        reason: 'bad [r](https://evil.example) <img src=x>\n\n<details>',
        next: 'Fix it: [n](command:foo) <!-- c -->',
      },
    ];
    const markdown = summaryMarkdown(report([], unchecked), { project: '.', restricted: true });
    const line = markdown.split('\n').find((l) => l.startsWith('> ⚠️'))!;
    assert.equal(
      shown(line),
      '⚠️ Not checked: project: not checked: bad [r](https://evil.example) <img src=x>  <details> Next: Fix it: [n](command:foo) <!-- c -->',
    );
  });

  it("shows a publish's package and signer as data too", () => {
    const markdown = publishedMarkdown(
      { name: HOSTILE.name, version: HOSTILE.version, checksum: 'sha256:ab`[c](https://evil.example)' },
      HOSTILE.signer,
      { type: 'sigstore', transparency_log: { log_index: '7 [l](command:foo)' } },
    );
    const lines = markdown.split('\n');
    assert.equal(
      codeOf(lines[0]!.slice('## ✅ Published '.length, -', signed'.length)),
      `${HOSTILE.name}@${HOSTILE.version}`,
    );
    const row = cells(lines[4]!);
    assert.equal(row.length, 4, row.join(' ‖ '));
    assert.equal(codeOf(row[0]!), `${HOSTILE.name}@${HOSTILE.version}`);
    assert.equal(codeOf(row[1]!), 'sha256:ab`[c](https://evil.example)');
    assert.equal(shown(row[2]!), `${HOSTILE.signer} (sigstore)`);
    assert.equal(shown(row[3]!), 'entry 7 [l](command:foo)');
  });
});
