import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where to look for the config files: the home folder, the project, and the environment ($AAM_CONFIG). */
export interface ConfigLocation {
  homeDir: string;
  projectDir?: string | undefined;
  env?: Record<string, string | undefined>;
}

/** The user's global config file: $AAM_CONFIG, or ~/.aam/config.yaml. */
export function globalConfigPath(location: ConfigLocation): string {
  return location.env?.AAM_CONFIG || join(location.homeDir, '.aam', 'config.yaml');
}

export function projectConfigPath(projectDir: string): string {
  return join(projectDir, '.aam', 'config.yaml');
}

/**
 * A path setting as it is used: `~/…` in the home folder, an absolute path as
 * it is, anything else beside the config file that set it. Two files can
 * write the same text and mean two different files, so settings are compared
 * by this, never by their text.
 */
export function resolveConfigPath(value: string, file: string | undefined, homeDir: string): string {
  if (value === '~' || value.startsWith('~/')) return join(homeDir, value.slice(1));
  if (isAbsolute(value)) return resolve(value);
  return resolve(file ? dirname(file) : process.cwd(), value);
}
