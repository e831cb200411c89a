import * as vscode from 'vscode';
import { HOME_PLATFORMS, restoreDeployed } from '../core/workflows/restore.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import { pickPackage } from './trust-signer.ts';
import { verificationServices } from '../core/verify/services.ts';
import { notice } from './notification-text.ts';

/**
 * Rewrites a package's deployed copies from its verified archive, after
 * saying what will be replaced. The core refuses when the archive itself
 * does not verify: a restore never writes from an unverified source.
 */
export async function restoreDeployedCopies(
  model: TrustModel,
  args: { workspaceId: string; packageName: string } | undefined,
): Promise<void> {
  const found = await pickPackage(model, args, (report) =>
    report.deployed.some((c) => c.state === 'modified' || c.state === 'missing'),
  );
  if (!found) return;
  const { workspace, report } = found;
  // Copies in the user's home (~/.codex) are not the project's to rewrite: restore leaves them (see defaultPlatforms).
  const global = workspace.paths.root === model.homeDir;
  const changed = report.deployed.filter(
    (c) => (c.state === 'modified' || c.state === 'missing') && (global || !HOME_PLATFORMS.includes(c.platform)),
  );
  const home = report.deployed.filter(
    (c) => (c.state === 'modified' || c.state === 'missing') && !global && HOME_PLATFORMS.includes(c.platform),
  );
  const detail = [
    ...changed.map((c) => `${c.platform}: ${c.section ? `${c.path} § ${c.section}` : c.path} (${c.state})`),
    ...(home.length > 0
      ? [
          '',
          vscode.l10n.t(
            'Not restored from a project: {0} (in your home folder, which agents load in every project). Run aam-trust restore {1} --platform codex to rewrite them.',
            home.map((c) => c.path).join(', '),
            report.name,
          ),
        ]
      : []),
  ].join('\n');
  const go = vscode.l10n.t('Restore');
  const answer = await vscode.window.showWarningMessage(
    notice('Restore the deployed copies of {0} from its verified archive?', `${report.name}@${report.version}`),
    {
      modal: true,
      detail: `${detail}\n\n${vscode.l10n.t("Edits to these copies are replaced; text outside AAM's sections of CLAUDE.md and AGENTS.md is kept.")}`,
    },
    go,
  );
  if (answer !== go || !workspace.config) return;
  const after = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: notice('Restoring {0}', report.name) },
    () =>
      restoreDeployed(report.name, {
        workspace: workspace.paths,
        config: workspace.config!,
        ...verificationServices(workspace.config!, model.homeDir),
        homeDir: model.homeDir,
      }),
  );
  log().info(
    `Restored ${changed.length} deployed copies of ${report.name}@${report.version} from its verified archive: ${changed.map((c) => c.path).join(', ')}`,
  );
  await model.refresh();
  void vscode.window.showInformationMessage(
    notice('Restored the deployed copies of {0}; it is now {1}.', report.name, STATUS_LABEL[after.verdict.status]),
  );
}
