import type { LoadedConfig } from '../../config/load.ts';
import { AamError } from '../../errors.ts';
import type { LockFile } from '../../lockfile/lockfile.ts';
import { parsePackageName } from '../../model/names.ts';
import { blockedBy } from '../../policy/name-pattern.ts';
import { isValidVersion, parseConstraint, parseVersion, satisfies } from '../../model/versions.ts';
import type { Registry } from '../../registry/registry.ts';
import type { VersionEntry } from '../../registry/metadata.ts';

/** One package an install will fetch, verify and write. */
export interface PlannedPackage {
  name: string;
  version: string;
  entry: VersionEntry;
  requestedBy: string | undefined;
  /** Resolved versions of its dependencies, as the lock file records them. */
  dependencies: Record<string, string>;
}

/** Whether `version` meets a dependency's constraint (a dist-tag, which names one version, never another). */
function suits(version: string, constraint: string | undefined): boolean {
  if (constraint === undefined || !isValidVersion(version)) return false;
  try {
    return satisfies(parseVersion(version), parseConstraint(constraint));
  } catch {
    return false;
  }
}

/** `name`, `@scope/name`, `name@1.2.3`, `@scope/name@^1.0.0`, `name@latest`. */
export function parseSpec(spec: string): { name: string; range: string | undefined } {
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const range = at > 0 ? spec.slice(at + 1) : undefined;
  parsePackageName(name);
  return { name, range };
}

/**
 * Resolves what to install: the requested packages and, breadth first, their
 * dependencies from the same registry. Install-policy rules (blocked packages,
 * allowed scopes and registries, dist-tag requirement) refuse before any
 * download.
 */
export async function planInstall(
  specs: readonly string[],
  registry: Registry,
  config: LoadedConfig,
  lock: LockFile,
  force: boolean,
): Promise<PlannedPackage[]> {
  checkRegistryAllowed(registry, config);
  const queue = specs.map((spec) => ({
    ...parseSpec(spec),
    requestedBy: undefined as string | undefined,
    constraint: undefined as string | undefined,
  }));
  const planned = new Map<string, PlannedPackage>();
  const explicit = new Set(queue.map((q) => q.name));
  while (queue.length > 0) {
    const { name, range, requestedBy, constraint } = queue.shift()!;
    checkAllowed(name, config);
    const already = planned.get(name);
    if (already) {
      // One version of a package is installed: a dependent it does not suit is a conflict, as aam's resolver says.
      if (range !== undefined && already.version !== range && !suits(already.version, constraint))
        throw new AamError(
          'INSTALL_REFUSED',
          `Dependency conflict: ${requestedBy ?? 'the command'} asks for ${name}@${constraint ?? range}, but ${name}@${already.version} is being installed${already.requestedBy ? ` for ${already.requestedBy}` : ''}.`,
          {
            hint: `Install versions that agree on ${name}, or name the one you want (${name}@${range}). Nothing was installed.`,
          },
        );
      continue;
    }
    const { metadata, entry } = await registry.resolve(name, range);
    if (config.security.install_policy.require_tag && !Object.values(metadata.dist_tags).includes(entry.version)) {
      throw new AamError(
        'INSTALL_REFUSED',
        `${name}@${entry.version} is not the target of any dist-tag, and install_policy.require_tag is true.`,
        {
          hint: `Install a tagged version (${
            Object.entries(metadata.dist_tags)
              .map(([t, v]) => `${t}: ${v}`)
              .join(', ') || 'none'
          }).`,
        },
      );
    }
    const dependencies: Record<string, string> = {};
    for (const [dep, constraint] of Object.entries(entry.dependencies)) {
      const resolved = await registry.resolve(dep, constraint).catch((error: unknown) => {
        throw new AamError(
          'VERSION_NOT_FOUND',
          `${name}@${entry.version} needs ${dep}@${constraint}, which registry "${registry.name}" cannot provide.`,
          { cause: error },
        );
      });
      dependencies[dep] = resolved.entry.version;
      queue.push({ name: dep, range: resolved.entry.version, requestedBy: `${name}@${entry.version}`, constraint });
    }
    planned.set(name, { name, version: entry.version, entry, requestedBy, dependencies });
  }
  // What the lock file records for a dependency is the version installed (planned first, by another path).
  for (const p of planned.values())
    for (const dep of Object.keys(p.dependencies))
      p.dependencies[dep] = planned.get(dep)?.version ?? p.dependencies[dep]!;
  return [...planned.values()].filter(
    (p) => (force && explicit.has(p.name)) || lock.packages[p.name]?.version !== p.version,
  );
}

function checkRegistryAllowed(registry: Registry, config: LoadedConfig): void {
  const allowed = config.security.allowed_registries;
  if (allowed.length > 0 && !allowed.includes(registry.name)) {
    throw new AamError(
      'INSTALL_REFUSED',
      `Registry "${registry.name}" is not in allowed_registries (${allowed.join(', ')}).`,
      { hint: 'Install from an allowed registry.' },
    );
  }
}

function checkAllowed(name: string, config: LoadedConfig): void {
  const { scope } = parsePackageName(name);
  const blocked = blockedBy(name, config.security.blocked_packages);
  if (blocked)
    throw new AamError('PACKAGE_BLOCKED', `${name} is blocked by blocked_packages ("${blocked}").`, {
      hint: 'Remove it from blocked_packages only if you are sure it is safe.',
    });
  const scopes = config.security.install_policy.allowed_scopes;
  if (scopes.length > 0 && (scope === undefined || !scopes.includes(scope))) {
    throw new AamError(
      'INSTALL_REFUSED',
      `${name} is outside install_policy.allowed_scopes (${scopes.map((s) => `@${s}`).join(', ')}).`,
      { hint: 'Install packages from an allowed scope.' },
    );
  }
}
