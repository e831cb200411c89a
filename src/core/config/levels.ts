import type { ConfigEdit } from './config-edit.ts';
import { isPlainObject } from './merge.ts';
import type { MergedConfig } from './merge.ts';
import { schemaAt } from './schema.ts';

export const LEVEL_NAMES = ['minimal', 'moderate', 'strict', 'maximum'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

type LevelValue = boolean | 'warn' | 'error' | 'ignore';

/**
 * One of the seeds' four trust levels ("Trust Levels" in security.txt), as
 * the exact `security:` keys it sets. A level writes these keys and nothing
 * else: whom to trust (identities, keys, registries) is the user's, so a
 * level that needs trust lists says so instead of inventing entries.
 */
export interface TrustLevel {
  name: LevelName;
  label: string;
  /** The seeds' words for it. */
  summary: string;
  useCase: string;
  keys: Readonly<Record<string, LevelValue>>;
  /** Lists that must not all be empty for the level to mean what it says (it never writes them). */
  needs: readonly { anyOf: readonly string[]; why: string }[];
}

const TRUST_SOMEONE = {
  anyOf: ['trusted_identities', 'trusted_keys'],
  why: 'it requires trusted signers, and trusted_identities and trusted_keys are empty: every signed package would fail as signed, untrusted. Add whom you trust (aam-trust trust NAME, or the Whom to trust lists).',
} as const;

export const TRUST_LEVELS: readonly TrustLevel[] = [
  {
    name: 'minimal',
    label: 'Minimal',
    summary: 'Checksums only',
    useCase: 'development, testing',
    keys: {
      require_signature: false,
      on_signature_failure: 'ignore',
      require_registry_attestation: false,
      hidden_content: 'warn',
    },
    needs: [],
  },
  {
    name: 'moderate',
    label: 'Moderate',
    summary: 'Checksums and optional signatures',
    useCase: 'general use, open source',
    keys: {
      require_signature: false,
      on_signature_failure: 'warn',
      require_registry_attestation: false,
      hidden_content: 'warn',
    },
    needs: [],
  },
  {
    name: 'strict',
    label: 'Strict',
    summary: 'Required signatures and trusted identities',
    useCase: 'production, corporate',
    keys: {
      require_signature: true,
      on_signature_failure: 'error',
      verify_transparency_log: true,
      on_signer_change: 'error',
      require_registry_attestation: false,
      hidden_content: 'error',
    },
    needs: [TRUST_SOMEONE],
  },
  {
    name: 'maximum',
    label: 'Maximum',
    summary: 'Strict plus registry attestation and audit logs',
    useCase: 'high-security environments',
    keys: {
      require_signature: true,
      on_signature_failure: 'error',
      verify_transparency_log: true,
      on_signer_change: 'error',
      require_registry_attestation: true,
      trust_registry_attestations: true,
      hidden_content: 'error',
    },
    needs: [
      TRUST_SOMEONE,
      {
        anyOf: ['trusted_registries'],
        why: 'it requires an attestation of a trusted registry (whose audit log is then checked on every verification), and trusted_registries is empty: every package would fail as having no trusted attestation. Add your HTTP registry to trusted_registries.',
      },
    ],
  },
];

export function isLevelName(value: string): value is LevelName {
  return (LEVEL_NAMES as readonly string[]).includes(value);
}

export function levelNamed(name: LevelName): TrustLevel {
  return TRUST_LEVELS.find((l) => l.name === name)!;
}

/** The edits that set a level in a config file: its keys, each set to its value; comments and other keys stay. */
export function levelEdits(level: TrustLevel): ConfigEdit[] {
  return Object.entries(level.keys).map(([key, value]) => ({ op: 'set', path: ['security', key], value }));
}

/** A key of `security:` as it is in effect: the merged value, or the schema's default. */
export function effectiveSecurityValue(merged: Pick<MergedConfig, 'value'>, key: string): unknown {
  const security = isPlainObject(merged.value.security) ? merged.value.security : {};
  return key in security ? security[key] : schemaAt(['security', key])?.default;
}

/** A level key whose value in effect is not the level's. */
export interface LevelDifference {
  key: string;
  value: unknown;
  expected: LevelValue;
}

/**
 * Which level a policy is: one whose keys all hold (with what it still
 * needs), or custom — with the nearest level, the strongest one whose every
 * key it meets or exceeds (so "nearest" never overstates what it protects),
 * how it differs from that one, and what it lacks for the next.
 */
export type LevelMatch =
  | { kind: 'level'; level: TrustLevel; unmet: string[] }
  | {
      kind: 'custom';
      nearest: TrustLevel;
      differences: LevelDifference[];
      next: { level: TrustLevel; missing: LevelDifference[] } | undefined;
    };

export function matchLevel(merged: Pick<MergedConfig, 'value'>): LevelMatch {
  const scored = TRUST_LEVELS.map((level) => ({ level, differences: differencesFrom(level, merged) }));
  const exact = scored.find((s) => s.differences.length === 0);
  if (exact) return { kind: 'level', level: exact.level, unmet: unmetNeeds(exact.level, merged) };
  const met = scored.filter((s) => s.differences.every((d) => atLeast(d.value, d.expected)));
  const nearest = met[met.length - 1] ?? scored[0]!;
  const above = scored[scored.indexOf(nearest) + 1];
  return {
    kind: 'custom',
    nearest: nearest.level,
    differences: nearest.differences,
    next: above && {
      level: above.level,
      missing: above.differences.filter((d) => !atLeast(d.value, d.expected)),
    },
  };
}

/** How strict a level value is: false < true, and ignore < warn < error. */
/**
 * Whether a value in effect is at least as strict as a level's. A value of another type (`require_signature:
 * error`, `on_signature_failure: [error]`) is not: verification refuses it and applies the default.
 */
function atLeast(value: unknown, expected: LevelValue): boolean {
  return typeof value === typeof expected && rank(value) >= rank(expected);
}

function rank(value: unknown): number {
  if (typeof value === 'boolean') return Number(value);
  return typeof value === 'string' ? ['ignore', 'warn', 'error'].indexOf(value) : -1;
}

function differencesFrom(level: TrustLevel, merged: Pick<MergedConfig, 'value'>): LevelDifference[] {
  return Object.entries(level.keys).flatMap(([key, expected]) => {
    const value = effectiveSecurityValue(merged, key);
    return value === expected ? [] : [{ key, value, expected }];
  });
}

/** Why the level does not yet mean what it says, one sentence each (empty when it does). */
export function unmetNeeds(level: TrustLevel, merged: Pick<MergedConfig, 'value'>): string[] {
  return level.needs
    .filter((need) =>
      need.anyOf.every((key) => {
        const value = effectiveSecurityValue(merged, key);
        return !Array.isArray(value) || value.length === 0;
      }),
    )
    .map((need) => `${level.label} is incomplete: ${need.why}`);
}

/** "Strict", or "custom (nearest: Moderate; on_signature_failure is error, not warn)". */
export function describeMatch(match: LevelMatch): string {
  if (match.kind === 'level') return match.level.label;
  const why = match.differences
    .map((d) => `${d.key} is ${valueText(d.value)}, not ${valueText(d.expected)}`)
    .join(', ');
  return `custom (nearest: ${match.nearest.label}; ${why})`;
}

/** A setting's value as it reads in YAML. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
