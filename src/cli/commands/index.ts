import type { CliIo } from '../io.ts';
import { acceptCommand } from './accept.ts';
import { approveCommand, rejectCommand } from './approve.ts';
import { auditCommand } from './audit.ts';
import { diffCommand } from './diff.ts';
import { signBundleCommand, verifyBundleCommand } from './conformance.ts';
import { installCommand } from './install.ts';
import { keysCommand } from './keys.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { prepareOfflineCommand } from './offline.ts';
import { ownersCommand } from './owners.ts';
import { packCommand } from './pack.ts';
import { policyCommand } from './policy.ts';
import { publishCommand } from './publish.ts';
import { registerCommand } from './register.ts';
import { registryCommand } from './registry.ts';
import { reportCommand } from './report.ts';
import { restoreCommand } from './restore.ts';
import { tokenCommand } from './token.ts';
import { trustCommand } from './trust.ts';
import { verifyCommand } from './verify.ts';
import { whoamiCommand } from './whoami.ts';

type Command = (io: CliIo, argv: string[]) => Promise<number>;

export const commands: Record<string, Command> = {
  verify: verifyCommand,
  install: installCommand,
  pack: packCommand,
  publish: publishCommand,
  policy: policyCommand,
  keys: keysCommand,
  'prepare-offline': prepareOfflineCommand,
  registry: registryCommand,
  report: reportCommand,
  restore: restoreCommand,
  trust: trustCommand,
  accept: acceptCommand,
  audit: auditCommand,
  approve: approveCommand,
  owners: ownersCommand,
  reject: rejectCommand,
  diff: diffCommand,
  register: registerCommand,
  login: loginCommand,
  logout: logoutCommand,
  whoami: whoamiCommand,
  token: tokenCommand,
  'sign-bundle': signBundleCommand,
  'verify-bundle': verifyBundleCommand,
};
