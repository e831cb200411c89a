import { applyConfigEdits } from '../../config/edit.ts';
import { effectiveSecurityValue, levelEdits, matchLevel, unmetNeeds } from '../../config/levels.ts';
import type { LevelMatch, TrustLevel } from '../../config/levels.ts';
import { withFileText } from '../../config/load.ts';
import type { LoadedConfig } from '../../config/load.ts';
import { isPlainObject } from '../../config/merge.ts';
import { AamError } from '../../errors.ts';
import { whatIf } from './what-if.ts';
import type { WhatIf } from './what-if.ts';

/** One key a level sets: what the file says now (undefined: not set there), what is in effect, and the level's value. */
export interface LevelKey {
  key: string;
  own: unknown;
  effective: unknown;
  to: unknown;
  /** Whether applying writes anything for this key. */
  changes: boolean;
}

/** A level about to be applied to one config file: exactly what it writes, and what that would do. */
export interface LevelPlan {
  level: TrustLevel;
  file: string;
  /** The file's text after applying (comments and other keys kept). */
  text: string;
  keys: LevelKey[];
  /** The installed packages whose verdict would change, decided again from their last checks. */
  whatIf: WhatIf;
  /** The level in effect afterwards, with the other config file (a project file may still override a global level). */
  after: LevelMatch;
  /** What the level needs that it does not write (trust lists), each as a warning. */
  unmet: string[];
}

type Reports = Parameters<typeof whatIf>[0];

/**
 * Plans setting `level` in the config file at `file` (whose current text is
 * `text`): the edits, the resulting text, and the what-if on `reports`. No
 * file is written and nothing is verified again.
 */
export function planLevel(
  level: TrustLevel,
  config: LoadedConfig,
  file: { path: string; text: string },
  reports: Reports,
  homeDir?: string,
): LevelPlan {
  const own = config.files.find((f) => f.path === file.path)?.value;
  const ownSecurity = own && isPlainObject(own.security) ? own.security : {};
  const text = applyConfigEdits(file.text, levelEdits(level));
  const next = withFileText(config, file.path, text, homeDir);
  if (!next) throw new AamError('CONFIG_INVALID', `Cannot apply ${level.label}: ${file.path} is not readable YAML.`);
  const keys = Object.entries(level.keys).map(([key, to]) => ({
    key,
    own: ownSecurity[key],
    effective: effectiveSecurityValue(config.merged, key),
    to,
    changes: ownSecurity[key] !== to,
  }));
  return {
    level,
    file: file.path,
    text,
    keys,
    whatIf: whatIf(reports, config.security, { ...next.policyContext(), policy: next.security }),
    after: matchLevel(next.merged),
    unmet: unmetNeeds(level, next.merged),
  };
}
