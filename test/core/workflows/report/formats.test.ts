import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reportCsv, reportTable } from '../../../../src/core/workflows/report/formats.ts';
import { reportPage } from '../../../../src/core/workflows/report/html.ts';
import { reportPasses } from '../../../../src/core/workflows/report/model.ts';
import type { ComplianceReport, ComplianceRow, UncheckedScope } from '../../../../src/core/workflows/report/model.ts';
import { reportSarif } from '../../../../src/core/workflows/report/sarif.ts';
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
const reportOf = (rows: ComplianceRow[], unchecked: UncheckedScope[] = []): ComplianceReport => ({
  generatedAt: '2026-12-03T00:00:00.000Z',
  scope: { kind: 'projects', projects: ['.', 'broken'] },
  policy: 'Strict',
  unchecked,
  totals: totalsOf(rows, unchecked.length),
  rows,
});
const BROKEN: UncheckedScope = {
  where: 'broken',
  what: 'project',
  status: 'not checked',
  reason: 'The security policy has errors:\n.aam/config.yaml:2: require_signature is "maybe".',
  next: 'Fix these settings.',
};

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

describe('the report formats, when a project could not be checked', () => {
  it('a project that could not be checked is never compliant, and every format says so with the next step', () => {
    const passing = row({ status: 'verified', compliant: true, outcome: 'pass', method: 'sigstore', signer: 'a@x' });
    const report = reportOf([passing], [BROKEN]);
    assert.equal(reportPasses(report), false);
    assert.equal(reportPasses(reportOf([passing])), true);
    assert.equal(report.totals.notChecked, 1);

    const table = reportTable(report);
    assert.doesNotMatch(table, /Everything is compliant/);
    assert.match(table, /^ {2}1 compliant, 0 not compliant, 1 project not checked$/m);
    assert.match(
      table,
      /^ {2}⚠ broken: not checked: The security policy has errors:\\n\.aam\/config\.yaml:2: require_signature is "maybe"\.\n {4}Next: Fix these settings\.$/m,
    );
    assert.match(table, /\nNot compliant: 1 project not checked \(⚠ above\); no package checked fails\.\n$/);
    assert.match(reportTable(reportOf([passing])), /\nEverything is compliant\.\n$/);

    const csv = reportCsv(report).trimEnd().split('\r\n');
    assert.equal(csv.length, 3, 'the header, the package, and the project not checked');
    assert.match(
      csv[2]!,
      /^broken,,,project,not checked,false,fail,not checked,,,,,,,NOT_CHECKED,,,"broken: not checked: /,
    );
    assert.match(csv[2]!, / Next: Fix these settings\."$/);

    const sarif = reportSarif(report, (r) => `${r.where}/.aam/aam-lock.yaml`) as {
      runs: { results: { ruleId: string; message: { text: string }; locations: unknown[] }[] }[];
    };
    const [result] = sarif.runs[0]!.results;
    assert.equal(result?.ruleId, 'NOT_CHECKED');
    assert.match(
      result!.message.text,
      /^broken: not checked: The security policy has errors:[^]* Next: Fix these settings\.$/,
    );
    assert.deepEqual(result!.locations, [
      {
        physicalLocation: {
          artifactLocation: { uri: 'broken/.aam/aam-lock.yaml', uriBaseId: '%SRCROOT%' },
          region: { startLine: 1, startColumn: 1 },
        },
      },
    ]);

    const html = reportPage(report, { script: { inline: 'void 0;' } });
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    assert.deepEqual(data.report.unchecked, [BROKEN]);
  });
});

describe('SARIF fingerprints', () => {
  it('make another version or signer of a failing package another alert, so a dismissal of one hides no other', () => {
    const fingerprint = (overrides: Partial<ComplianceRow>) => {
      const failing = row({
        status: 'signed-untrusted',
        code: 'UNTRUSTED_SIGNER',
        signer: 'bob@example.com',
        ...overrides,
      });
      const sarif = reportSarif(reportOf([failing]), () => '.aam/aam-lock.yaml') as {
        runs: { results: { partialFingerprints: Record<string, string> }[] }[];
      };
      return sarif.runs[0]!.results[0]!.partialFingerprints;
    };
    const first = fingerprint({});
    assert.deepEqual(fingerprint({}), first, 'the same package, version and signer: the same alert');
    assert.notDeepEqual(fingerprint({ signer: 'mallory@example.com' }), first);
    assert.notDeepEqual(fingerprint({ version: '1.0.1' }), first);
  });
});
