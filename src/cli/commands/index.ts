/**
 * The CLI's commands, each loaded when it is run: `aam-trust verify NAME`
 * evaluates the verification code and nothing of publishing, the registry
 * client or the compliance report (a whole CLI process is a cold start).
 */
import type { CliIo } from '../io.ts';

type Command = (io: CliIo, argv: string[]) => Promise<number>;

/** A command whose module is imported on its first run. */
function lazy<K extends string>(load: () => Promise<Record<K, Command>>, name: K): Command {
  return async (io, argv) => (await load())[name](io, argv);
}

export const commands: Record<string, Command> = {
  verify: lazy(() => import('./verify.ts'), 'verifyCommand'),
  install: lazy(() => import('./install.ts'), 'installCommand'),
  pack: lazy(() => import('./pack.ts'), 'packCommand'),
  publish: lazy(() => import('./publish.ts'), 'publishCommand'),
  sign: lazy(() => import('./sign.ts'), 'signCommand'),
  info: lazy(() => import('./info.ts'), 'infoCommand'),
  delegate: lazy(() => import('./delegate.ts'), 'delegateCommand'),
  policy: lazy(() => import('./policy.ts'), 'policyCommand'),
  keys: lazy(() => import('./keys.ts'), 'keysCommand'),
  'prepare-offline': lazy(() => import('./offline.ts'), 'prepareOfflineCommand'),
  registry: lazy(() => import('./registry.ts'), 'registryCommand'),
  report: lazy(() => import('./report.ts'), 'reportCommand'),
  restore: lazy(() => import('./restore.ts'), 'restoreCommand'),
  trust: lazy(() => import('./trust.ts'), 'trustCommand'),
  accept: lazy(() => import('./accept.ts'), 'acceptCommand'),
  audit: lazy(() => import('./audit.ts'), 'auditCommand'),
  approve: lazy(() => import('./approve.ts'), 'approveCommand'),
  owners: lazy(() => import('./owners.ts'), 'ownersCommand'),
  reject: lazy(() => import('./approve.ts'), 'rejectCommand'),
  diff: lazy(() => import('./diff.ts'), 'diffCommand'),
  register: lazy(() => import('./register.ts'), 'registerCommand'),
  login: lazy(() => import('./login.ts'), 'loginCommand'),
  logout: lazy(() => import('./logout.ts'), 'logoutCommand'),
  whoami: lazy(() => import('./whoami.ts'), 'whoamiCommand'),
  token: lazy(() => import('./token.ts'), 'tokenCommand'),
  'sign-bundle': lazy(() => import('./conformance.ts'), 'signBundleCommand'),
  'verify-bundle': lazy(() => import('./conformance.ts'), 'verifyBundleCommand'),
};
