import { resolve } from 'node:path';
import { loadConfig } from '../core/config/load.ts';
import type { LoadedConfig } from '../core/config/load.ts';
import { workspacePaths } from '../core/lockfile/lockfile.ts';
import type { WorkspacePaths } from '../core/lockfile/lockfile.ts';
import type { SignatureVerifier } from '../core/signature/verifier.ts';
import type { CliIo } from './io.ts';
import type { EvidenceCache } from '../core/verify/evidence/evidence-cache.ts';
import { verificationServices } from '../core/verify/services.ts';

/** Everything a command needs about where it runs and which policy applies. */
export interface CommandContext {
  homeDir: string;
  projectDir: string;
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
}

export interface ContextFlags {
  project?: string | undefined;
  global?: boolean | undefined;
  restricted?: boolean | undefined;
}

export async function commandContext(io: CliIo, flags: ContextFlags): Promise<CommandContext> {
  const projectDir = flags.global ? io.homeDir : resolve(io.cwd, flags.project ?? '.');
  const config = await loadConfig({
    homeDir: io.homeDir,
    projectDir: flags.global ? undefined : projectDir,
    env: io.env,
    restricted: flags.restricted ?? false,
  });
  return {
    homeDir: io.homeDir,
    projectDir,
    workspace: workspacePaths(projectDir),
    config,
    ...verificationServices(config, io.homeDir, io.env),
  };
}
