import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reportCsv } from '../../../../src/core/workflows/report/formats.ts';
import { reportPage } from '../../../../src/core/workflows/report/html.ts';
import type { ComplianceReport, ComplianceRow } from '../../../../src/core/workflows/report/model.ts';
import { lockEntryLines } from '../../../../src/core/workflows/report/projects.ts';
import { totalsOf } from '../../../../src/core/workflows/report/totals.ts';

const row = (overrides: Partial<ComplianceRow>): ComplianceRow => ({
  where: '.',
  name: 'pkg',
  version: '1.0.0',
  source: 'team',
  status: 'unsigned',
  compliant: false,
  outcome: 'fail',
  method: 'none',
  signer: undefined,
  attested: undefined,
  code: 'UNSIGNED',
  message: 'Package is not signed.',
  findings: [],
  ...overrides,
});
const reportOf = (rows: ComplianceRow[]): ComplianceReport => ({
  generatedAt: '2026-12-03T00:00:00.000Z',
  scope: { kind: 'projects', projects: ['.'] },
  policy: 'Strict',
  notices: [],
  totals: totalsOf(rows),
  rows,
});

describe('the report formats, with hostile text in what registries and signers say', () => {
  it('CSV quotes commas, quotes and line breaks, and keeps a formula as text', () => {
    const csv = reportCsv(reportOf([row({ message: 'a, "b"\nc', signer: '=HYPERLINK("http://evil.example")' })])).split(
      '\r\n',
    );
    assert.equal(csv[1]!.split(',')[8], `"'=HYPERLINK(""http://evil.example"")"`);
    assert.match(csv[1]!, /,"a, ""b""\nc"$/);
  });

  it('HTML: a signer or message that closes the data block cannot, and the page data reads back intact', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const html = reportPage(reportOf([row({ signer: hostile, message: hostile })]), { script: { inline: 'void 0;' } });
    assert.equal(html.match(/<script/g)!.length, 2, 'only the data block and the page script');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    assert.equal(data.report.rows[0].signer, hostile);
  });

  it('finds each package entry of a lock file, quoted or not, and nothing outside packages:', () => {
    const text = `lockfile_version: 1\nresolved_at: '2026-12-01T00:00:00Z'\npackages:\n  '@acme/hello':\n    version: 1.0.0\n  plain:\n    version: 2.0.0\n  "@x/it's":\n    version: 1.0.0\nother:\n  notapkg:\n    x: 1\n`;
    assert.deepEqual(Object.fromEntries(lockEntryLines(text)), { '@acme/hello': 4, plain: 6, "@x/it's": 8 });
  });
});
