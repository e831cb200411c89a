import { Document } from 'yaml';
import type { ConfigEdit } from '../../config/config-edit.ts';
import { isPlainObject } from '../../config/merge.ts';
import { validateConfigText } from '../../config/validate.ts';
import { AamError } from '../../errors.ts';
import { describePolicyChange } from './policy-changes.ts';
import type { PolicyChange } from './policy-changes.ts';
import type { ProjectState } from './state.ts';

/**
 * How a policy change of a Trust Diff is undone: the setting goes back to the
 * value the base revision's project file gives it, whole, or leaves the project
 * file where that file did not set it. Both sides of a diff merge the same
 * global config under their project file, so this restores the base's
 * effective value, whatever the global one is. Undoing one list entry alone
 * could leave a list neither side had: an emptied `allowed_issuers` allows any
 * issuer, and a project list started from one entry replaces the global list.
 */
export interface PolicyRevert {
  key: string;
  /** The base revision (`HEAD`, a branch) whose project file the value comes from. */
  base: string;
  edits: ConfigEdit[];
  /** The YAML written under `security:`; undefined when the key is removed from the project file. */
  preview: string | undefined;
  /** The diff's other changes of the same setting, which writing its whole value undoes as well. */
  alsoReverts: PolicyChange[];
}

/** The revert of `change` to what `base`'s project file says; `changes` are the diff's policy changes. */
export function policyRevert(
  base: Pick<ProjectState, 'label' | 'configText'>,
  change: PolicyChange,
  changes: readonly PolicyChange[] = [],
): PolicyRevert {
  if (change.where)
    throw new AamError(
      'USAGE',
      `Only a security setting is reverted here; ${describePolicyChange(change)} is not one.`,
      {
        hint:
          change.where === 'record'
            ? 'Restore .aam/trust-record.yaml from the base (git checkout BASE -- .aam/trust-record.yaml).'
            : 'Edit registries: in .aam/config.yaml by hand.',
      },
    );
  const security = baseSecurity(base);
  const path = ['security', change.key];
  const alsoReverts = changes.filter((c) => c.key === change.key && c !== change);
  if (!Object.hasOwn(security, change.key))
    return { key: change.key, base: base.label, edits: [{ op: 'delete', path }], preview: undefined, alsoReverts };
  const value = security[change.key];
  const doc = new Document({ security: { [change.key]: value } });
  return {
    key: change.key,
    base: base.label,
    edits: [{ op: 'set', path, value }],
    preview: doc.toString({ lineWidth: 0 }).trimEnd(),
    alsoReverts,
  };
}

/** The `security:` mapping of the base's project file (empty when it has none); refused when it cannot be read. */
function baseSecurity(base: Pick<ProjectState, 'label' | 'configText'>): Record<string, unknown> {
  const { value } = validateConfigText(base.configText);
  const security = value?.security;
  if (value === undefined || (security !== undefined && security !== null && !isPlainObject(security)))
    throw new AamError(
      'CONFIG_INVALID',
      `The project config at ${base.label} cannot be read, so there is no value to go back to; nothing was changed.`,
      { hint: 'Edit .aam/config.yaml by hand, or compare with another revision.' },
    );
  return isPlainObject(security) ? security : {};
}
