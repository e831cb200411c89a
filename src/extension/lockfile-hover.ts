import * as vscode from 'vscode';
import { describeChain } from '../core/policy/delegation.ts';
import { standingText } from '../core/policy/signed.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { commandLink, fileLink, mdCode, mdText } from './markdown-text.ts';
import type { AamWorkspace } from './model.ts';
import { projectHas, trustOptions } from './trust-signer.ts';
import type { TrustSignerArgs } from './trust-signer.ts';

/** Verdict codes a signer can be trusted for from the hover (and the quick fix). */
export const TRUSTABLE = new Set(['UNTRUSTED_SIGNER', 'SIGNED_NO_POLICY', 'ISSUER_NOT_ALLOWED']);

/**
 * The hover on a lock-file entry: its verdict, signer and rule, with links to
 * trust the signer and fetch an unknown key. It is trusted for those commands,
 * so every datum in it (the lock file's name and version, identities, user
 * IDs, messages) goes in through mdText or mdCode, and its only links are the
 * ones built here from our own words and arguments.
 */
export function hoverText(workspace: AamWorkspace, report: PackageReport): vscode.MarkdownString {
  const { verdict } = report;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['aam.trustSigner', 'aam.showEffectivePolicy', 'aam.fetchKey'] };
  md.appendMarkdown(`**${mdText(`${report.name}@${report.version}`)}** — ${mdText(STATUS_LABEL[verdict.status])}\n\n`);
  for (const finding of report.findings)
    md.appendMarkdown(`${finding.action === 'fail' ? '$(error)' : '$(warning)'} ${mdText(finding.message)}\n\n`);
  const signer = verdict.signer;
  // A delegate's signature says through whom it is trusted: "— delegated by alice@… for @acme/* until …".
  const judged = verdict.signatures.find((j) => j.check.state === 'valid' && j.check.signer === signer);
  const through = judged?.standing.state === 'delegated' ? ` — ${mdText(describeChain(judged.standing.links))}` : '';
  if (signer?.type === 'sigstore')
    md.appendMarkdown(
      `**Signed by:** ${mdCode(signer.identity.san)} · issuer ${mdCode(signer.identity.issuer ?? 'unknown')}${through}`,
    );
  else if (signer) md.appendMarkdown(`**Signed by:** ${mdCode(describeSigner(signer))}${through}`);
  else md.appendMarkdown(mdText(verdict.message));
  const others = verdict.signatures.filter((j) => j !== judged);
  if (others.length > 0)
    md.appendMarkdown(`\n\n**Also signed:** ${others.map((j) => mdCode(standingText(j))).join(', ')}`);
  const trustedBy = verdict.trustedBy;
  if (trustedBy)
    md.appendMarkdown(
      `\n\n**Trusted by:** ${mdCode(trustedBy.pattern)} — ${mdText(trustedBy.explanation)}${trustedBy.source ? ` (${mdText(trustedBy.source)})` : ''}`,
    );
  if (verdict.rule && verdict.action !== 'pass') {
    const source = verdict.rule.source;
    md.appendMarkdown(
      `\n\n**Rejected by:** ${mdCode(verdict.rule.key)} in ${source ? fileLink(source, vscode.Uri.file(source).toString()) : 'the defaults'}`,
    );
    if (workspace.config)
      md.appendMarkdown(` (on_signature_failure: ${mdCode(workspace.config.security.on_signature_failure)})`);
  }
  if (verdict.expected !== undefined) md.appendMarkdown(`\n\n**Expected:** ${mdCode(verdict.expected)}`);
  if (verdict.actual !== undefined) md.appendMarkdown(`\n\n**Actual:** ${mdCode(verdict.actual)}`);
  if (verdict.signer && TRUSTABLE.has(verdict.code)) md.appendMarkdown(trustLinks(workspace, report));
  else if (verdict.hint) md.appendMarkdown(`\n\n$(lightbulb) ${mdText(verdict.hint)}`);
  const unknownKeys = verdict.signatures.flatMap((j) =>
    j.check.state === 'invalid' && j.check.code === 'KEY_UNKNOWN' && j.check.key ? [j.check.key] : [],
  );
  for (const key of new Set(unknownKeys))
    md.appendMarkdown(
      `\n\n$(key) ${commandLink(`Fetch key ${key}…`, 'aam.fetchKey', [{ key, lockFile: report.lockFile }])}`,
    );
  return md;
}

/** What would trust the signer, and the links that do it (project and global config, or only global). */
function trustLinks(workspace: AamWorkspace, report: PackageReport): string {
  const options = trustOptions(report.verdict.signer!);
  const [first] = options;
  if (!first) return '';
  const what = options.map((o) => `${mdCode(o.label)} in ${mdCode(o.list)}`).join(', or ');
  const link = (label: string, target: 'project' | 'global') => {
    const args: TrustSignerArgs = { workspaceId: workspace.id, packageName: report.name, pattern: first.label, target };
    return commandLink(label, 'aam.trustSigner', [args]);
  };
  const links =
    workspace.kind === 'global'
      ? link('Trust this signer', 'global')
      : `${link('Trust this signer in the project config', 'project')}${projectHas(workspace, first.list) ? '' : ` · ${link('in the global config', 'global')}`}`;
  return `\n\n**What would trust it:** ${what}\n\n$(shield) ${links}`;
}
