import { HIDDEN_LABEL, hiddenLine } from '../core/content/describe.ts';
import type { PackageSide } from '../core/workflows/diff/trust-diff.ts';
import { signerFacts, verdictWords } from '../core/workflows/review/review.ts';
import type { PackageReview, UpdateReview } from '../core/workflows/review/review.ts';
import { lineChanges, unifiedDiff } from '../core/workflows/review/text-diff.ts';
import type { FileSides } from '../core/workflows/review/text-diff.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { oneLine, paint } from './io.ts';
import type { CliIo } from './io.ts';

/** An update review as the terminal shows it: the trust changes of each package, then every changed file's diff. */
export function reviewLines(io: CliIo, review: UpdateReview, root: string): string[] {
  const lines: string[] = [];
  for (const pkg of review.packages) lines.push(...packageLines(io, pkg, root), '');
  if (review.packages.length === 0) lines.push('Nothing to install: every package is at that version.');
  return lines;
}

function packageLines(io: CliIo, pkg: PackageReview, root: string): string[] {
  const rel = (path: string) => (path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path);
  const status = (s: PackageSide | undefined) => (s?.status ? STATUS_LABEL[s.status] : s ? 'unknown' : '—');
  const { before } = pkg.trust;
  const lines = [
    paint(io, 'bold', `Review of ${pkg.name} ${pkg.from ?? '(not installed)'} → ${pkg.to}`),
    `  verdict:      ${verdictWords(pkg.verdict)} (was ${status(before)})`,
    ...signerFacts(pkg.trust).map((f) => `  ${`${f.label.toLowerCase()}:`.padEnd(14)}${f.text}`),
    `  attestation:  ${pkg.attestation}`,
    `  approvals:    ${pkg.approvals}`,
  ];
  for (const change of pkg.changes) lines.push(`  ${paint(io, 'red', '✗')} ${change.message}`);
  for (const finding of pkg.findings)
    lines.push(
      `  ${finding.action === 'fail' ? paint(io, 'red', '✗') : paint(io, 'yellow', '⚠')} ${oneLine(finding.message)}`,
    );
  for (const problem of pkg.trust.problems.filter((p) => p.code !== 'NEWLY_FAILING'))
    if (!pkg.changes.some((c) => c.code === problem.code)) lines.push(`  ${paint(io, 'red', '✗')} ${problem.message}`);
  const hidden = pkg.hidden.reduce((n, f) => n + f.count, 0);
  lines.push(
    hidden === 0
      ? `  hidden content: none`
      : `  ${paint(io, 'yellow', '⚠')} hidden content: ${hidden} item${hidden === 1 ? '' : 's'} in the package's files`,
  );
  for (const file of pkg.hidden) for (const item of file.items) lines.push(`      ${hiddenLine(file.path, item)}`);
  lines.push(`  files agents will load differently: ${pkg.files.length === 0 ? 'none' : pkg.files.length}`);
  for (const file of pkg.files) {
    const { added, removed } = lineChanges(file);
    const flag =
      file.hidden.length > 0
        ? paint(io, 'yellow', ` ⚠ ${file.hidden.map((h) => HIDDEN_LABEL[h.kind]).join(', ')}`)
        : '';
    lines.push(
      `    ${file.platform.padEnd(8)} ${file.change.padEnd(9)} ${rel(file.path)} (+${added} −${removed})${flag}`,
    );
  }
  for (const file of pkg.files) {
    lines.push('');
    for (const line of diffLines(file, rel(file.path)))
      lines.push(
        line.startsWith('+') && !line.startsWith('+++')
          ? paint(io, 'green', line)
          : line.startsWith('-') && !line.startsWith('---')
            ? paint(io, 'red', line)
            : line,
      );
  }
  return lines;
}

/**
 * A file's unified diff as lines for the terminal, every CR shown as `\r` (as `git diff` in a pager shows `^M`):
 * output lets a CR through only before a LF, where it hides nothing, but a reviewer should see a line end change.
 */
export function diffLines(file: FileSides, label: string): string[] {
  const lines = unifiedDiff(file, label).replaceAll('\r', '\\r').split('\n');
  while (lines.at(-1) === '') lines.pop();
  return lines;
}
