import { packageLabel } from '../../lockfile/vouched.ts';
import { visible } from '../../messages/shown-text.ts';
import { STATUS_LABEL } from '../../verify/verdict/vocabulary.ts';
import { notCompliant, signersText, uncheckedText } from './model.ts';
import type { ComplianceReport, ComplianceRow, UncheckedScope } from './model.ts';

/** The report as JSON: what scripts and the HTML page read. */
export function reportJson(report: ComplianceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const CSV_COLUMNS: [string, (row: ComplianceRow) => unknown][] = [
  ['where', (r) => r.where],
  ['name', (r) => r.name],
  ['version', (r) => r.version],
  ['source', (r) => r.source],
  ['status', (r) => r.status],
  ['compliant', (r) => r.compliant],
  ['outcome', (r) => r.outcome],
  ['method', (r) => r.method],
  ['signer', (r) => signersText(r)],
  ['delegations', (r) => r.delegations?.join('; ')],
  ['attested', (r) => r.attested],
  ['approval', (r) => r.approval],
  ['yanked', (r) => r.yanked],
  ['published_by', (r) => r.publishedBy],
  ['code', (r) => r.code],
  ['findings', (r) => r.findings.join(' ')],
  ['lock_line', (r) => r.lockLine],
  ['message', (r) => r.message],
];

/** One row per package (RFC 4180: quoted where needed, CRLF line ends), for spreadsheets. */
export function reportCsv(report: ComplianceReport): string {
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value);
    // A cell a spreadsheet would run as a formula is kept as text.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of report.rows) lines.push(CSV_COLUMNS.map(([, get]) => cell(get(row))).join(','));
  // What could not be checked is a line too, status "not checked", never compliant: a spreadsheet's count sees it.
  for (const scope of report.unchecked)
    lines.push(CSV_COLUMNS.map(([name]) => cell(uncheckedCell(scope, name))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A CSV cell of what could not be checked: no package, the status "not checked", why and what next. */
function uncheckedCell(scope: UncheckedScope, column: string): unknown {
  const cells: Record<string, unknown> = {
    where: scope.where,
    source: scope.what,
    status: scope.status,
    compliant: false,
    outcome: 'fail',
    method: 'not checked',
    code: 'NOT_CHECKED',
    message: `${uncheckedText(scope)} Next: ${scope.next}`,
  };
  return cells[column];
}

/** What could not be checked, counted: "1 project not checked", "the audit log of registry "corp" not checked". */
function notCheckedText(report: ComplianceReport): string | undefined {
  const projects = report.unchecked.filter((u) => u.what === 'project').length;
  const logs = report.unchecked.filter((u) => u.what === 'registry audit log');
  const packages = report.unchecked.filter((u) => u.what === 'registry package').length;
  const listings = report.unchecked.filter((u) => u.what === 'registry listing');
  const parts = [
    ...(projects > 0 ? [`${projects} project${projects === 1 ? '' : 's'} not checked`] : []),
    ...logs.map((u) => `the audit log of ${u.where} not checked`),
    ...(packages > 0 ? [`${packages} package${packages === 1 ? '' : 's'} not checked`] : []),
    ...listings.map((u) => `the listing of ${u.where} incomplete`),
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** What the report covers, in words: "11 packages in 2 projects", "40 versions of 12 packages in registry team". */
export function scopeText(report: ComplianceReport): string {
  const n = report.totals.total;
  if (report.scope.kind === 'projects') {
    const p = report.scope.projects.length;
    return `${n} package${n === 1 ? '' : 's'} in ${p} project${p === 1 ? '' : 's'}`;
  }
  const names = new Set(report.rows.map((r) => r.name)).size;
  return `${n} version${n === 1 ? '' : 's'} of ${names} package${names === 1 ? '' : 's'} in registry ${report.scope.registry}`;
}

/**
 * The report as text for a terminal: totals by status, method and signer, then what is not compliant. Every datum
 * (where, name, version, signer, message) is shown on its line, its controls written out: a line break in a lock
 * file's name would start a line a CI runner reads as a command.
 */
export function reportTable(report: ComplianceReport, limit = 50): string {
  const { totals } = report;
  const out = [
    `Signing compliance: ${scopeText(report)} (policy: ${report.policy})`,
    `  ${[`${totals.compliant} compliant`, `${totals.notCompliant} not compliant`, notCheckedText(report)].filter(Boolean).join(', ')}`,
    // What could not be checked comes first, with what to do: it fails the report whatever the counts say.
    // Each on one line, whatever a folder's name or a parser's message holds: a line of its own is one a CI runner reads.
    ...report.unchecked.flatMap((u) => [`  ⚠ ${visible(uncheckedText(u))}`, `    Next: ${visible(u.next)}`]),
    '',
    'By status:',
    ...columns([
      ['', 'PACKAGES', 'NOT COMPLIANT'],
      ...totals.byStatus.map((s) => [s.label, String(s.count), String(s.notCompliant)]),
    ]),
    '',
    'By method:',
    ...columns(totals.byMethod.map((m) => [m.method, String(m.count)])),
    '',
    'By signer:',
    ...columns(totals.bySigner.map((s) => [visible(s.signer), String(s.count)])),
  ];
  if (report.scope.kind === 'registry') out.push('', `In the registry: ${registryFacts(report.rows)}`);
  const failing = notCompliant(report);
  out.push(
    '',
    failing.length > 0
      ? `Not compliant (${failing.length}):`
      : report.unchecked.length > 0
        ? `Not compliant: ${notCheckedText(report)!} (⚠ above); no package checked fails.`
        : 'Everything is compliant.',
  );
  if (failing.length > 0)
    out.push(
      ...columns([
        ['WHERE', 'PACKAGE', 'STATUS', 'SIGNER', 'WHY'],
        ...failing
          .slice(0, limit)
          .map((r) => [
            visible(r.where),
            visible(packageLabel(r)),
            STATUS_LABEL[r.status],
            visible(signersText(r) ?? '-'),
            visible([...r.findings, r.message].join(' · ')).slice(0, 120),
          ]),
      ]),
    );
  if (failing.length > limit) out.push(`  … and ${failing.length - limit} more (--format csv or json lists them all)`);
  return `${out.join('\n')}\n`;
}

/** What only a registry says of its versions: attested, approvals, yanks. */
function registryFacts(rows: readonly ComplianceRow[]): string {
  const count = (test: (r: ComplianceRow) => boolean) => rows.filter(test).length;
  const approvals = (['approved', 'pending', 'rejected'] as const)
    .map((state) => [state, count((r) => r.approval === state)] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return [
    `${count((r) => r.attested === true)} attested`,
    ...approvals,
    `${count((r) => r.yanked === true)} yanked`,
  ].join(', ');
}

/** Rows of cells as aligned, indented lines (the last column is not padded). */
function columns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map(
    (r) =>
      `  ${r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd()}`,
  );
}
