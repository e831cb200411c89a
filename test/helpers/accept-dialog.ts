/**
 * Accept Signer Change over the VS Code mock: installs that record what they install, the package as the
 * command finds it (verified now, its signer changed), and the command run with its dialog answered.
 */
import assert from 'node:assert/strict';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { verifyWorkspace } from '../../src/core/verify/workspace.ts';
import * as mock from './vscode-mock.ts';
import type { TestWorld } from './workspace.ts';

mock.useVscodeMock();
const { acceptSignerChange } = await import('../../src/extension/accept-change.ts');

/** Installs SPEC in the world's project, taking any signer change (what the next step puts back). */
export const installAccepting = (w: TestWorld) => async (spec: string) =>
  installPackages([spec], {
    ...(await w.services()),
    registry: w.registry,
    platforms: [],
    homeDir: w.home,
    acceptChanges: true,
  });

/**
 * Accept Signer Change on the world's only package, which must now verify with its signer changed; `answer`
 * gives the dialog's answer (given its buttons). `asked` holds each dialog's message and detail.
 */
export async function acceptThroughDialog(w: TestWorld, answer: (buttons: string[]) => Promise<string | undefined>) {
  const services = await w.services();
  const [report] = await verifyWorkspace({ ...services, homeDir: w.home, force: true, workers: 0 });
  assert.ok(
    report!.findings.some((f) => f.code === 'SIGNER_CHANGED'),
    JSON.stringify(report!.findings),
  );
  const asked: string[] = [];
  Object.assign(mock.window, {
    showWarningMessage: async (message: string, options: { detail?: string }, ...buttons: string[]) => {
      asked.push(`${message}\n${options?.detail ?? ''}`);
      return answer(buttons);
    },
  });
  const workspace = {
    id: 'p',
    kind: 'project',
    label: 'project',
    paths: services.workspace,
    config: services.config,
    reports: [report],
  };
  const model = { homeDir: w.home, workspaces: [workspace], refresh: async () => {}, allReports: () => [] };
  const run = acceptSignerChange(model as never, { workspaceId: 'p', packageName: report!.name });
  return { asked, run };
}
