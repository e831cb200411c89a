import { mergeConfigFiles } from '../config/load.ts';
import type { ConfigFileState, LoadedConfig } from '../config/load.ts';
import { isPlainObject } from '../config/merge.ts';
import { resolveConfigPath } from '../config/paths.ts';
import type { SecuritySettings } from '../config/settings.ts';
import { AamError } from '../errors.ts';

/** The settings that decide where signing sends the Sigstore identity token, and where it signs in for one. */
export type SigningInstanceKey = 'sigstore_endpoint' | 'sigstore_oidc_issuer';

/** A value the user gave for this run (a command-line option), which stands over both config files. */
export interface GivenSetting {
  value: string | undefined;
  /** How it is given, for the hint: `--sigstore-endpoint`. Undefined where the surface has no such option. */
  option?: string | undefined;
}

const WHY: Record<SigningInstanceKey, string> = {
  sigstore_endpoint: 'it decides which Fulcio receives your Sigstore identity token',
  sigstore_oidc_issuer: 'it decides where you sign in for your Sigstore identity token',
};

/**
 * The value of a signing-instance setting for signing: the one given for
 * this run, else the global config's. A repository's config must not pick
 * where the publisher's identity token goes (whoever receives it can get a
 * certificate in the publisher's name), so a project value that differs
 * from the global one is refused, naming both, rather than silently
 * ignored: its author then learns why it is not used. Restricted Mode drops
 * these settings for the same reason (config/tightening.ts, trusted-only).
 */
export function signingSetting<K extends SigningInstanceKey>(
  config: LoadedConfig,
  key: K,
  given?: GivenSetting,
): SecuritySettings[K] {
  if (given?.value !== undefined) return given.value as SecuritySettings[K];
  const { globalFile, security } = globalOnly(config);
  const projectFile = config.files.find((file) => file.layer === 'project');
  const theirs = security[key];
  const project = isPlainObject(projectFile?.value?.security) ? projectFile.value.security : undefined;
  if (!project || !(key in project) || project[key] === theirs) return theirs;
  const mine = typeof project[key] === 'string' ? project[key] : JSON.stringify(project[key]);
  const where = globalFile?.path ?? '~/.aam/config.yaml';
  const globalValue = theirs ?? 'unset (the public-good instance)';
  const option = given?.option;
  throw new AamError(
    'CONFIG_INVALID',
    `The project config ${projectFile!.path} sets security.${key} to ${mine}, and your global config ${where} ${theirs ? `has ${theirs}` : 'does not set it (the public-good instance)'}. ` +
      `Signing takes ${key} only from the global config${option ? ` or ${option}` : ''}, since ${WHY[key]}. Nothing was signed.`,
    {
      expected: `${globalValue} (global config)`,
      actual: `${mine} (project config)`,
      hint: `To sign with ${mine}, move security.${key} to ${where}${option ? `, or pass ${option} ${mine}` : ''}; otherwise remove it from the project config.`,
    },
  );
}

/**
 * The GnuPG home signing uses: gpg_home as the global config gives it (undefined: $GNUPGHOME, then
 * ~/.gnupg). gpg reads that folder's gpg.conf, which can name a program it runs (agent-program, started
 * as soon as a secret key is looked for): a repository's config that names a folder of its own would
 * run its program as the publisher. A project value that is not the global one is refused, naming both,
 * as for the Sigstore instance above; Restricted Mode drops it already.
 */
export function signingGpgHome(config: LoadedConfig, homeDir: string): string | undefined {
  const value = config.security.gpg_home;
  if (!value) return undefined;
  const origin = config.merged.originOf(['security', 'gpg_home']);
  if (origin.layer !== 'project') return resolveConfigPath(value, origin.file, homeDir);
  const { globalFile, security } = globalOnly(config);
  const theirs = security.gpg_home;
  const theirsPath = theirs ? resolveConfigPath(theirs, globalFile?.path, homeDir) : undefined;
  const mine = resolveConfigPath(value, origin.file, homeDir);
  if (mine === theirsPath) return mine;
  const where = globalFile?.path ?? '~/.aam/config.yaml';
  throw new AamError(
    'CONFIG_INVALID',
    `The project config ${origin.file ?? '.aam/config.yaml'} sets security.gpg_home to ${mine}, and your global config ${where} ${theirsPath ? `has ${theirsPath}` : 'does not set it ($GNUPGHOME or ~/.gnupg)'}. ` +
      "Signing takes gpg_home only from the global config or $GNUPGHOME, since gpg runs the programs its folder's gpg.conf names. Nothing was signed.",
    {
      expected: `${theirsPath ?? '$GNUPGHOME or ~/.gnupg'} (global config)`,
      actual: `${mine} (project config)`,
      hint: `To sign with the keys in ${mine}, set GNUPGHOME=${mine} or move security.gpg_home to ${where}; otherwise remove it from the project config.`,
    },
  );
}

/** The global file alone, merged as load.ts merges it: the security settings the user's own config gives. */
function globalOnly(config: LoadedConfig): { globalFile: ConfigFileState | undefined; security: SecuritySettings } {
  const globalFile = config.files.find((file) => file.layer === 'global');
  return { globalFile, security: mergeConfigFiles(globalFile ? [globalFile] : [], false).security };
}
