import { codeSpan, visible } from '../core/messages/shown-text.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { notCompliant, reportPasses, signersText, uncheckedText } from '../core/workflows/report/model.ts';
import type { ComplianceReport } from '../core/workflows/report/model.ts';
import type { BaseComparison } from './base-diff.ts';

/*
 * The summary quotes data a pull request controls (the lock file's names and
 * versions, signer identities, findings, messages), and GitHub renders it as
 * GitHub-flavoured Markdown with HTML: each datum goes in through text() or
 * code(), so it shows as itself, without a link, tag, image or emphasis of
 * its own, and within its table cell.
 */

const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/** One line (a table row is one): line breaks become spaces, other controls and bidi characters are written out. */
const oneLine = (text: string) => visible(text.replace(/\r\n?|\n/g, ' '));

/**
 * Data as Markdown text: `<`, `>` and `&` as HTML entities (no tag, comment
 * or entity of its own), and every other ASCII punctuation character
 * backslash-escaped, which renders it as itself. So no link, emphasis, code
 * span or math starts, and no bare URL, `www.` or email becomes a link
 * (`https\://`, `www\.`, `a\@b`). A pipe is written `\|`, which a table
 * keeps in the cell, and a backslash `\\`, so it cannot pair with that one.
 */
function text(data: string): string {
  return oneLine(data).replace(/[!-/:-@[-`{-~]/g, (c) => ENTITY[c] ?? `\\${c}`);
}

/**
 * Data as an inline code span, which shows its content as is: the fence is
 * longer than any backtick run in it. A value with a pipe is shown as text
 * instead, as a code span in a table can only hold it as `\|`, which
 * renderers read differently after a backslash.
 */
function code(data: string): string {
  const shown = oneLine(data);
  return shown.includes('|') ? text(data) : codeSpan(shown);
}

/** The job summary of a verification: the verdict, totals by status, and what is not compliant, as Markdown. */
export function summaryMarkdown(
  report: ComplianceReport,
  options: { project: string; restricted: boolean; comparison?: BaseComparison | undefined },
): string {
  const { totals } = report;
  const changes = options.comparison?.reasons ?? [];
  const ok = reportPasses(report) && changes.length === 0;
  const lines = [
    `## ${ok ? '✅' : '❌'} AAM Trust: ${totals.compliant} of ${totals.total} package${totals.total === 1 ? '' : 's'} compliant`,
    '',
    `Project ${code(options.project)} · policy: ${text(report.policy)}${options.restricted ? ' · restricted (project settings that weaken the global policy are ignored)' : ''}`,
    ...report.unchecked.map((u) => `\n> ⚠️ **Not checked:** ${text(uncheckedText(u))} Next: ${text(u.next)}`),
    '',
    '| Status | Packages | Not compliant |',
    '| --- | ---: | ---: |',
    ...totals.byStatus.map((s) => `| ${s.label} | ${s.count} | ${s.notCompliant} |`),
  ];
  const failing = notCompliant(report);
  if (failing.length > 0) {
    lines.push(
      '',
      `### Not compliant (${failing.length})`,
      '',
      '| Package | Status | Signer | Why |',
      '| --- | --- | --- | --- |',
    );
    for (const row of failing.slice(0, 200))
      lines.push(
        `| ${code(row.version ? `${row.name}@${row.version}` : row.name)} | ${STATUS_LABEL[row.status]} | ${text(signersText(row) ?? '—')} | ${text([...row.findings, row.message].join(' · '))} |`,
      );
    if (failing.length > 200) lines.push('', `… and ${failing.length - 200} more (see the SARIF results).`);
  }
  if (options.comparison) {
    const against = code(options.comparison.base);
    lines.push('', `### Against ${against}`, '');
    if (changes.length === 0)
      lines.push('Nothing weakens trust: no weaker policy, signer change, removed signature or downgrade.');
    else
      lines.push(
        `${changes.length} change${changes.length === 1 ? '' : 's'} weaken${changes.length === 1 ? 's' : ''} trust (${code(`aam-trust diff ${options.comparison.base}`)} shows them whole):`,
        '',
        ...changes.map((r) => `- ${text(r)}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The job summary of a publish: what was published and who signed it (the signer's words as data, too). */
export function publishedMarkdown(
  outcome: { name: string; version: string; checksum: string },
  signer: string,
  signature: { type: string; transparency_log?: { log_index: string } } | undefined,
): string {
  const logged = signature?.transparency_log ? `entry ${text(signature.transparency_log.log_index)}` : '—';
  return [
    `## ✅ Published ${code(`${outcome.name}@${outcome.version}`)}, signed`,
    '',
    '| Package | Checksum | Signed by | Transparency log |',
    '| --- | --- | --- | --- |',
    `| ${code(`${outcome.name}@${outcome.version}`)} | ${code(outcome.checksum)} | ${text(signer)} (${text(signature?.type ?? '—')}) | ${logged} |`,
    '',
  ].join('\n');
}
