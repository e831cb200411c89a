import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AamError } from '../errors.ts';
import { projectConfigPath } from './paths.ts';

/**
 * Refuses a write meant for a project's `.aam/config.yaml` unless it lands in
 * that project. A repository can commit `.aam` as a symbolic link to the
 * user's `~/.aam`: the project's config is then the user's own file, and a
 * "for this project only" write (trust a signer, a policy level, a revert)
 * would change the policy of every project — weaken it, at the repository's
 * choosing. So is a project's own `.aam` whose `config.yaml` is such a link
 * (reading refuses it too, but a form or dialog opened before it arrived
 * would still save through it).
 */
export async function assertProjectConfigWritable(projectDir: string, globalConfig: string): Promise<void> {
  const folder = join(projectDir, '.aam');
  await refuseUnlessOwn(folder, 'folder');
  // The folder may be the project's own and the file in it a link (dangling or not) to ~/.aam/config.yaml.
  await refuseUnlessOwn(projectConfigPath(projectDir), 'file');
  // The project opened may be the home folder, or hold the global config ($AAM_CONFIG) itself.
  const [project, global] = await Promise.all([
    realpath(dirname(projectConfigPath(projectDir))).catch(() => undefined),
    realpath(dirname(globalConfig)).catch(() => undefined),
  ]);
  if (project !== undefined && project === global && projectConfigPath(projectDir) !== globalConfig)
    throw refused(folder, `is the folder of your global config, ${globalConfig}`);
}

/**
 * The same for a config file about to be written: the global config itself is the user's to write; a
 * project's `.aam/config.yaml` only when its `.aam` is the project's own (the policy form, Open Trust Policy).
 */
export async function assertConfigFileWritable(file: string, globalConfig: string): Promise<void> {
  if (file === globalConfig || basename(dirname(file)) !== '.aam') return;
  await assertProjectConfigWritable(dirname(dirname(file)), globalConfig);
}

/** Refuses a path that is a symbolic link, or there and not of its kind. */
async function refuseUnlessOwn(path: string, kind: 'folder' | 'file'): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats?.isSymbolicLink()) {
    const to = await readlink(path).catch(() => undefined);
    throw refused(path, `is a symbolic link${to === undefined ? '' : ` to ${to}`}`);
  }
  if (stats && !(kind === 'folder' ? stats.isDirectory() : stats.isFile())) throw refused(path, `is not a ${kind}`);
}

function refused(folder: string, why: string): AamError {
  return new AamError(
    'CONFIG_INVALID',
    `${folder} ${why}: a write meant for this project's config would change your global policy. Nothing was written.`,
    {
      hint: `A project's .aam and its config.yaml must be its own. Check where ${folder} comes from (a repository can commit it as a link), or write to the global config instead.`,
      actual: why,
    },
  );
}
