import * as vscode from 'vscode';
import { acceptChanges } from '../core/workflows/accept.ts';
import { isContinuity } from '../core/record/continuity-codes.ts';
import { visible } from '../core/messages/shown-text.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { pickPackage } from './trust-signer.ts';
import { verificationServices } from '../core/verify/services.ts';
import { notice } from './notification-text.ts';

/**
 * Records a package's new signer (or removed signature, or lower version) in
 * the trust record, after showing the old and the new side by side. Only a
 * package that otherwise verifies is accepted (the core checks).
 */
export async function acceptSignerChange(
  model: TrustModel,
  args: { workspaceId: string; packageName: string } | undefined,
): Promise<void> {
  const found = await pickPackage(
    model,
    args,
    (report) => report.verdict.status === 'unverified' || report.findings.some((f) => isContinuity(f.code)),
  );
  if (!found) return;
  const { workspace, report } = found;
  const changes = report.findings.filter((f) => isContinuity(f.code));
  // Each value on its own line, its line breaks and bidi controls written out: a signer's user ID is the
  // publisher's to write, and could otherwise draw a "now:" line of its own or push the real one out of sight.
  const detail = [
    ...(report.verdict.status === 'unverified' ? [visible(report.verdict.message)] : []),
    ...changes.map(
      (f) =>
        `${visible(f.message)}\n  ${vscode.l10n.t('recorded')}: ${visible(f.expected ?? '')}\n  ${vscode.l10n.t('now')}: ${visible(f.actual ?? '')}`,
    ),
  ].join('\n\n');
  const accept = vscode.l10n.t('Accept and Record');
  const answer = await vscode.window.showWarningMessage(
    notice('Accept the change to {0}?', `${report.name}@${report.version}`),
    {
      modal: true,
      detail: `${detail}\n\n${vscode.l10n.t('It is recorded in .aam/trust-record.yaml (commit it with the lock file); check the transparency-log entries first.')}`,
    },
    accept,
  );
  if (answer !== accept || !workspace.config) return;
  const [after] = await acceptChanges([report.name], {
    workspace: workspace.paths,
    config: workspace.config,
    ...verificationServices(workspace.config, model.homeDir),
    homeDir: model.homeDir,
    // Only what the dialog showed is recorded: a package changed meanwhile is refused.
    shown: new Map([[report.name, report]]),
  });
  log().info(
    `Accepted ${[...(report.verdict.status === 'unverified' ? [report.verdict.code] : []), ...changes.map((c) => c.code)].join(', ')} for ${report.name}@${report.version}: ${changes.map((c) => `${c.expected} → ${c.actual}`).join('; ')}`,
  );
  await model.refresh();
  void vscode.window.showInformationMessage(
    notice('Recorded {0}; it is now {1}.', report.name, after ? STATUS_LABEL[after.verdict.status] : ''),
  );
}
