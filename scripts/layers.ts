/**
 * The floors of src/core, bottom first: a folder may import the floors below
 * it and never one above. This list is the single source of the core's
 * import rules in .oxlintrc.json (`node scripts/layers.ts --write` writes
 * them; test/repo/layers.test.ts checks they are in sync and that src/ keeps
 * them, type-only imports included).
 *
 * The shape, in words: the model (package names, versions, platform names)
 * at the bottom; files, YAML and archives; the formats (manifest, lock file,
 * policy, config); the signature checks; the checks verification uses
 * (trust record, deployed copies, registries); verification itself, split
 * into where evidence is gathered, what is checked, where results are
 * stored, where the verdict is decided and where work is spread over
 * threads; and on top the workflows that compose verification with other
 * steps (install, publish, restore, accept, diff, approve).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CORE_LAYERS = [
  'model',
  'fs',
  'yaml',
  'archive',
  'scan',
  'package',
  'content',
  'lockfile',
  'policy',
  'config',
  'sigstore',
  'openpgp',
  'signature',
  'record',
  'deploy',
  'registry',
  'verify/evidence',
  'verify/checks',
  'verify/store',
  'verify/verdict',
  'verify/threads',
  'verify',
  'workflows',
] as const;

/** Files directly in src/core (errors, the AAM home, the product version): below every floor. */
export const CORE_ROOT = 'core';

const REPO = join(import.meta.dirname, '..');
const CONFIG = join(REPO, '.oxlintrc.json');

/** Which floor a file of src/ stands on, or undefined outside src/core. */
export function layerOf(path: string): string | undefined {
  const match = /^src\/core\/(.+)\/[^/]+$/.exec(path);
  if (!match) return /^src\/core\/[^/]+$/.test(path) ? CORE_ROOT : undefined;
  const folder = match[1]!;
  return [...CORE_LAYERS].reverse().find((layer) => folder === layer || folder.startsWith(`${layer}/`));
}

/** The rank of a floor: an import from a lower rank to a higher one runs back up. */
export function rankOf(layer: string): number {
  return layer === CORE_ROOT ? -1 : CORE_LAYERS.indexOf(layer as (typeof CORE_LAYERS)[number]);
}

const ALWAYS = [
  {
    regex: '^(\\.\\./)+(extension|cli|webview|server|action|extension\\.ts|cli\\.ts|action\\.ts)(/|$)',
    message:
      'The core is imported by the CLI, the extension, the registry server and the GitHub Action, never the other way round.',
  },
  { regex: '^(\\.\\./)+\\.\\./dev/', message: 'dev/ holds test and demo fixtures; the product never imports it.' },
];

/** The lint override for one floor: every floor above it is out of reach. */
function overrideFor(layer: (typeof CORE_LAYERS)[number]): object {
  const above = CORE_LAYERS.slice(CORE_LAYERS.indexOf(layer) + 1);
  const depth = layer.split('/').length;
  const patterns: { regex: string; message: string }[] = [];
  // Floors are named by their path from src/core; an import reaches one through as many "../" as it climbs.
  const top = above.filter((a) => !a.startsWith('verify/') && a !== 'verify');
  if (top.length > 0)
    patterns.push({
      regex: `^(\\.\\./)+(${top.join('|')})(/|$)`,
      message: `${layer}/ stands below ${top.join(', ')}: it may not import them (scripts/layers.ts).`,
    });
  const inVerify = above.filter((a) => a.startsWith('verify/')).map((a) => a.slice('verify/'.length));
  if (inVerify.length > 0)
    patterns.push({
      regex: depth === 2 ? `^\\.\\./(${inVerify.join('|')})(/|$)` : `^(\\.\\./)+verify/(${inVerify.join('|')})(/|$)`,
      message: `${layer}/ stands below verify/${inVerify.join(', verify/')}: it may not import them (scripts/layers.ts).`,
    });
  if (above.includes('verify'))
    patterns.push({
      regex: depth === 2 ? '^\\.\\./[^./][^/]*\\.ts$' : '^(\\.\\./)+verify/[^/]+\\.ts$',
      message: `${layer}/ stands below verify/ (the verification run): it may not import it (scripts/layers.ts).`,
    });
  // A floor with floors inside it (verify/) rules only its own files; each inner floor has its rule.
  const nested = CORE_LAYERS.some((l) => l.startsWith(`${layer}/`));
  return {
    files: [nested ? `src/core/${layer}/*.ts` : `src/core/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [VSCODE],
          patterns: [...patterns, ...ALWAYS],
        },
      ],
    },
  };
}

const VSCODE = { name: 'vscode', message: 'The core runs in the CLI too: editor code belongs in src/extension.' };

/** The generated overrides, in the order they go into .oxlintrc.json: all of src/core, then each floor. */
export function layerOverrides(): object[] {
  const everywhere = {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [VSCODE], patterns: ALWAYS }] },
  };
  return [everywhere, ...CORE_LAYERS.filter((layer) => layer !== 'policy').map(overrideFor)];
}

/** An override this file writes (policy/'s, stricter than its floor, is written by hand and kept). */
const isGenerated = (o: { files: string[] }) =>
  o.files.length === 1 &&
  /^src\/core\/([a-z/-]+\/)?(\*\*\/)?\*\.ts$/.test(o.files[0]!) &&
  o.files[0] !== 'src/core/policy/**/*.ts';

/** .oxlintrc.json as it is, and as it is with its floor rules as this file says (the policy/ rule, stricter, stays as written). */
export async function configWithLayers(): Promise<{ wanted: unknown; current: unknown }> {
  const current = JSON.parse(await readFile(CONFIG, 'utf8')) as { overrides: { files: string[] }[] };
  // The floors come first, so that the hand-written rules after them (policy/'s) win where both apply.
  const overrides = [
    ...(layerOverrides() as { files: string[] }[]),
    ...current.overrides.filter((o) => !isGenerated(o)),
  ];
  return { wanted: { ...current, overrides }, current };
}

if (process.argv[1] === import.meta.filename && process.argv.includes('--write')) {
  const { wanted } = await configWithLayers();
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(CONFIG);
  await writeFile(CONFIG, await prettier.format(JSON.stringify(wanted), { ...options, filepath: CONFIG }));
  console.log(`.oxlintrc.json: the import rules of ${CORE_LAYERS.length} floors of src/core`);
}
