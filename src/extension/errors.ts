import * as vscode from 'vscode';
import { AamError, InstallRefusedError, messageOf } from '../core/errors.ts';
import { sentence } from '../core/messages/outcomes.ts';
import type { Message } from '../core/messages/outcomes.ts';
import { log } from './log.ts';
import { inert } from './notification-text.ts';

/** A follow-up the user can take from an error notification. */
export interface ErrorAction {
  title: string;
  run: () => unknown;
}

/**
 * Shows a failure as the user should read it: what failed, what to do next,
 * and buttons for the likely next step. Cancellations stay quiet. The message
 * quotes registries, lock files and signers, so it is shown inert.
 */
export async function showError(error: unknown, actions: Partial<Record<string, ErrorAction[]>> = {}): Promise<void> {
  if (error instanceof AamError && error.code === 'CANCELLED') {
    log().info(error.message);
    return;
  }
  const message =
    error instanceof AamError ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : messageOf(error);
  log().error(error instanceof AamError ? `${error.code}: ${error.message}` : message);
  if (error instanceof InstallRefusedError)
    for (const v of error.verdicts) log().error(`  ${v.name}@${v.version}: ${v.verdict.code} — ${v.verdict.message}`);
  const offered = (error instanceof AamError ? actions[error.code] : undefined) ?? [];
  const choice = await vscode.window.showErrorMessage(
    inert(message),
    ...offered.map((a) => a.title),
    vscode.l10n.t('Show Log'),
  );
  if (choice === vscode.l10n.t('Show Log')) log().show();
  else await offered.find((a) => a.title === choice)?.run();
}

/**
 * Shows what a workflow did in the catalogue's words (core/messages), as
 * loud as its severity: the same sentence the CLI prints, in one paragraph,
 * inert as its facts (names, versions, signers, approvers) are data.
 */
export function showOutcome(message: Message, ...items: string[]): Thenable<string | undefined> {
  const text = `${message.mark} ${sentence(message)}`;
  log().info(text);
  const show =
    message.severity === 'error'
      ? vscode.window.showErrorMessage
      : message.severity === 'warning'
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  return show(inert(text), ...items);
}
