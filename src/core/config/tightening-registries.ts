import { isPlainObject } from './merge.ts';
import type { PolicyFinding } from './tightening.ts';

/**
 * A project's `registries:` beside the global ones. Trust in a registry is
 * given by name (`trusted_registries`), so the name must keep meaning the
 * registry the user named:
 * - a project entry with the name of a global one that points elsewhere, or
 *   drops or changes its pinned `key_id`, weakens the global policy (always
 *   flagged; in Restricted Mode the global entry stands in for it);
 * - a project entry with a name the global policy trusts but does not define
 *   says where a trusted registry is, and so whose attestations count: that
 *   weakens it too (always flagged; in Restricted Mode the name is not
 *   trusted for this project).
 * - in a workspace the user has not trusted (VS Code's Restricted Mode), a
 *   project entry with a name the global config does not define is left
 *   out: opening a folder must not make the editor contact an address, or
 *   read a folder, that the folder names.
 * `registries` is the project's list as it may stand, or undefined where the
 * project has no list (nothing to set: the global list stays).
 */
export function tightenRegistries(
  global: Record<string, unknown>,
  project: Record<string, unknown>,
  trustedRegistries: readonly string[],
  untrustedWorkspace = false,
): { registries: unknown[] | undefined; untrusted: string[]; findings: PolicyFinding[] } {
  const findings: PolicyFinding[] = [];
  const untrusted: string[] = [];
  if (!Array.isArray(project.registries)) return { registries: undefined, untrusted, findings };
  const globals = new Map<string, Record<string, unknown>>();
  for (const entry of Array.isArray(global.registries) ? global.registries : [])
    if (isPlainObject(entry) && typeof entry.name === 'string' && !globals.has(entry.name))
      globals.set(entry.name, entry);
  const path = ['registries'];
  const registries = project.registries.map((entry: unknown) => {
    if (!isPlainObject(entry) || typeof entry.name !== 'string') return entry;
    const theirs = globals.get(entry.name);
    if (theirs) {
      const changed = changesOf(theirs, entry);
      if (changed.length === 0) return entry;
      findings.push({
        kind: 'weakens',
        path,
        message: `redefines the registry "${entry.name}" of your global config (${changed.join('; ')}), so another registry could answer under its name`,
      });
      return theirs;
    }
    if (trustedRegistries.includes(entry.name)) {
      untrusted.push(entry.name);
      findings.push({
        kind: 'weakens',
        path,
        message: `says where "${entry.name}" is, a registry your global policy trusts by name (trusted_registries) but does not define, so the project chooses whose attestations count`,
      });
    } else if (untrustedWorkspace) {
      findings.push({
        kind: 'trusted-only',
        path,
        message: `names the registry "${entry.name}", which your global config does not define: an untrusted workspace's registries are not contacted (its packages from there cannot be verified until you trust the workspace)`,
      });
      return undefined;
    }
    return entry;
  });
  return { registries: registries.filter((entry) => entry !== undefined), untrusted, findings };
}

/** How a project entry differs from the global entry of its name, in what decides who answers and with which key. */
function changesOf(theirs: Record<string, unknown>, mine: Record<string, unknown>): string[] {
  const url = (v: unknown) => (typeof v === 'string' ? v.replace(/\/+$/, '') : v);
  const key = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
  const changes: string[] = [];
  if (url(mine.url) !== url(theirs.url)) changes.push(`url ${String(mine.url)} instead of ${String(theirs.url)}`);
  if ((mine.type ?? 'local') !== (theirs.type ?? 'local'))
    changes.push(`type ${String(mine.type ?? 'local')} instead of ${String(theirs.type ?? 'local')}`);
  if (theirs.key_id !== undefined && key(mine.key_id) !== key(theirs.key_id))
    changes.push(mine.key_id === undefined ? 'without its key_id' : 'another key_id');
  return changes;
}
