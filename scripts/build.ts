import { build, transform } from 'esbuild';
import type { Metafile, Plugin } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeValidator } from './config-validator.ts';
import { CLI_LAUNCHER, WORKER_LAUNCHER } from './launchers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
/**
 * The registry server's engines (WebAssembly PostgreSQL, drivers, S3), its framework and the
 * native password hash: the CLI and the Action load them from node_modules, and only for
 * `aam-trust registry serve` and `registry token`.
 */
const SERVER_MODULES = [
  '@electric-sql/pglite',
  'pg',
  '@aws-sdk/client-s3',
  'fastify',
  '@fastify/multipart',
  '@fastify/rate-limit',
  '@fastify/swagger',
  'argon2',
  'prom-client',
];

/**
 * Libraries the CLI's usual run never calls, bundled but loaded on first use (see `lazyLibraries`): the
 * full YAML parser and writer (plain AAM files go through the fast readers in src/core/yaml), Sigstore's
 * reference verifier (the fast path in src/core/sigstore/fast does the checks) and bundle types, the
 * embedded public-good root, the Markdown parser and its edit map (only a document that could hide text is
 * parsed), the colour library (only a style that sets a colour over a background reads one), and
 * Node's worker threads (started for many packages only) and V8 settings (verify-all's young generation).
 */
const LAZY_LIBRARIES = [
  'node:worker_threads',
  'node:v8',
  'yaml',
  '@sigstore/bundle',
  '@sigstore/core',
  '@sigstore/protobuf-specs',
  '@sigstore/verify',
  '@sigstore/tuf/seeds.json',
  'mdast-util-from-markdown',
  'micromark-util-edit-map',
  'color',
];

/** Bundles the extension and the CLI as CommonJS for Node (the VS Code extension host loads CommonJS). */
async function main(): Promise<void> {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: watch ? 'info' : 'warning',
    legalComments: 'none',
    absWorkingDir: root,
    // ES-module dependencies (openpgp) call createRequire(import.meta.url); in a
    // CommonJS bundle that has to come from __filename.
    define: { 'import.meta.url': '__aamImportMetaUrl' },
    // @sigstore/sign's HTTP goes through the global fetch (see fetch-shim.ts).
    alias: { 'make-fetch-happen': './src/core/sigstore/fetch-shim.ts' },
    banner: { js: 'const __aamImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  } as const;
  // The config schema's validator as code (no schema compiled at start-up); a schema change rewrites it.
  if (await writeValidator()) console.log('Wrote the config validator (the schema changed): commit it.');
  await mkdir(join(root, 'dist'), { recursive: true });
  // dist/ holds CommonJS even though the sources are ES modules.
  await writeFile(join(root, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
  await writeFile(join(root, 'dist', 'cli.js'), CLI_LAUNCHER, { mode: 0o755 });
  await writeFile(join(root, 'dist', 'verify-worker-start.js'), WORKER_LAUNCHER);
  await Promise.all([
    build({
      ...common,
      entryPoints: { 'cli-main': 'src/cli.ts' },
      outdir: 'dist',
      external: SERVER_MODULES,
      plugins: [separateOpenpgp, lazyLibraries(LAZY_LIBRARIES), manifestVersion],
    }),
    // `aam-trust verify`, the command run most and cold (CI gates, hooks): the same CLI with that
    // command only, so a run reads and compiles none of the others' code (the launcher picks it).
    build({
      ...common,
      entryPoints: { 'cli-verify': 'src/cli.ts' },
      outdir: 'dist',
      external: SERVER_MODULES,
      plugins: [separateOpenpgp, verifyOnly, lazyLibraries(LAZY_LIBRARIES), manifestVersion],
      // The launcher runs it as a script of its own (for its code cache), where a native import() has
      // no loader: the built-ins it imports on use become requires.
      supported: { 'dynamic-import': false },
      metafile: true,
    }).then(async () => {
      await checkNoDynamicImport(join(root, 'dist', 'cli-verify.js'));
      await asciiOnly(join(root, 'dist', 'cli-verify.js'));
    }),
    // The GitHub Action's entry point (action.yml), the CLI's core with the runner's inputs and outputs.
    build({
      ...common,
      entryPoints: { action: 'src/action.ts' },
      outdir: 'dist',
      external: SERVER_MODULES,
    }),
    // Activation loads only this: the view, the status bar, the model and forwarders.
    build({
      ...common,
      entryPoints: { extension: 'src/extension.ts' },
      outdir: 'dist',
      external: ['vscode'],
      plugins: [lazyFeatures],
      metafile: true,
      supported: { 'dynamic-import': false },
    }).then((result) => checkStartupBundle(result.metafile)),
    // Editor features and the verification engine, loaded right after activation.
    build({ ...common, entryPoints: { features: 'src/extension/features.ts' }, outdir: 'dist', external: ['vscode'] }),
    // Verification workers (worker threads started by the extension and the CLI). openpgp.js is
    // two thirds of their code and the common case never needs it there (keys come from the
    // thread that started them): it is a bundle of its own, loaded on first use.
    // Its launcher (dist/verify-worker-start.js) runs it as a vm script for its code cache: no native import().
    build({
      ...common,
      entryPoints: { 'verify-worker': 'src/core/verify/threads/worker.ts' },
      outdir: 'dist',
      plugins: [separateOpenpgp, lazyLibraries(LAZY_LIBRARIES), manifestVersion],
      supported: { 'dynamic-import': false },
    }).then(async () => {
      await checkNoDynamicImport(join(root, 'dist', 'verify-worker.js'));
      await asciiOnly(join(root, 'dist', 'verify-worker.js'));
    }),
    // The launcher runs it as a vm script too (its code cache, for OpenPGP verify runs): no native import().
    build({
      ...common,
      entryPoints: { openpgp: 'openpgp' },
      outdir: 'dist',
      supported: { 'dynamic-import': false },
      plugins: [lazyAesTables],
    }).then(() => asciiOnly(join(root, 'dist', 'openpgp.js'))),
    // The policy form runs in a webview: a browser bundle with its own UI code.
    // The compliance report's page (Chart.js): the editor's webview loads it, and the CLI inlines it in
    // the standalone HTML report.
    build({
      entryPoints: {
        'policy-editor': 'src/webview/policy-editor.ts',
        'compliance-report': 'src/webview/compliance-report.ts',
      },
      outdir: 'dist/webview',
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: !watch,
      sourcemap: 'linked',
      logLevel: common.logLevel,
      absWorkingDir: root,
    }),
  ]);
}

/** The launcher runs dist/cli-verify.js as a vm script, where a native import() fails: the build must have none. */
async function checkNoDynamicImport(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const found = /(?<![\w$.])import\(/.exec(text);
  if (found)
    throw new Error(
      `${file} has a native import() (at ${found.index}): the launcher's script cannot run it; bundle it or require it.`,
    );
}

/**
 * The bundles the launcher runs as scripts (cli-verify.js, openpgp.js) are made ASCII only: one non-ASCII
 * character makes V8 keep the whole 1.3 MB as a two-byte string (twice the memory, and the decoding). esbuild
 * escapes every non-ASCII character in code; comments keep theirs, which become '?' here (one per UTF-16 unit,
 * so the source map's columns still hold). The code itself is checked unchanged.
 */
async function asciiOnly(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  // oxlint-disable-next-line no-control-regex -- everything outside ASCII
  const ascii = text.replace(/[^\x00-\x7f]/g, '?');
  if (ascii === text) return;
  const code = async (source: string) =>
    (await transform(source, { loader: 'js', minifyWhitespace: true, legalComments: 'none' })).code;
  if ((await code(ascii)) !== (await code(text)))
    throw new Error(`${file} has non-ASCII characters outside comments: the launcher reads it as Latin-1.`);
  await writeFile(file, ascii);
}

/** The CLI's command table with \`verify\` alone, for dist/cli-verify.js. */
const verifyOnly: Plugin = {
  name: 'verify-only',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/commands\/index\.ts$/ }, (args) =>
      args.importer.endsWith(join('src', 'cli', 'main.ts'))
        ? { path: 'verify-only', namespace: 'verify-only' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'verify-only' }, () => ({
      contents: "import { verifyCommand } from './verify.ts';\nexport const commands = { verify: verifyCommand };\n",
      resolveDir: join(root, 'src', 'cli', 'commands'),
      loader: 'ts',
    }));
  },
};

/**
 * `import('./features.ts')` in lazy.ts becomes a runtime require of the
 * separate features bundle (with dynamic import unsupported, esbuild emits
 * require, which the extension host hooks for the vscode module).
 */
const lazyFeatures: Plugin = {
  name: 'lazy-features',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/features\.ts$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(join('src', 'extension', 'lazy.ts'))
        ? { path: './features.js', external: true }
        : undefined,
    );
  },
};

/** `openpgp` becomes a runtime require of dist/openpgp.js, made by the require of the module that imports it. */
const separateOpenpgp: Plugin = {
  name: 'separate-openpgp',
  setup(builder) {
    builder.onResolve({ filter: /^openpgp$/ }, () => ({ path: './openpgp.js', external: true }));
  },
};

/**
 * Each import of one of these libraries gets a stand-in whose exports are getters that load the library (bundled
 * as usual, in a function esbuild calls on first require) when one is first read. esbuild reads an imported name
 * from the library's exports where it is used, not where it is imported, so a bundle whose run never uses the
 * library never runs, compiles or caches its code: the full YAML library's start was a tenth of a cold
 * `aam-trust verify NAME` that never parsed with it. The names are the library's own, read here at build time.
 */
function lazyLibraries(libraries: readonly string[]): Plugin {
  const requireHere = createRequire(import.meta.url);
  const escaped = libraries.map((name) => name.replace(/[.*+?^$()|[\]\\/{}]/g, '\\$&'));
  const filter = new RegExp(`^(?:${escaped.join('|')})$`);
  return {
    name: 'lazy-libraries',
    setup(builder) {
      // The stand-in's own require of the library resolves as usual.
      builder.onResolve({ filter }, (args) =>
        args.namespace === 'lazy-library' ? undefined : { path: args.path, namespace: 'lazy-library' },
      );
      builder.onLoad({ filter: /.*/, namespace: 'lazy-library' }, (args) => {
        const library = requireHere(args.path) as Record<string, unknown>;
        // An ES module's default export is `default` of an `__esModule` object: kept (styles.ts reads it).
        const names = Object.keys(library).filter(
          (name) => name !== '__esModule' && (name !== 'default' || library.__esModule === true),
        );
        const lines = [
          'let library;',
          `const load = () => (library ??= require(${JSON.stringify(args.path)}));`,
          ...(library.__esModule ? ["Object.defineProperty(exports, '__esModule', { value: true });"] : []),
          `for (const name of ${JSON.stringify(names)})`,
          '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
        ];
        return { contents: lines.join('\n'), loader: 'js', resolveDir: root };
      });
    },
  };
}

/**
 * The product's package.json as src/core/version.ts imports it: only its version is read, and the whole
 * manifest (18 KB of commands, menus and settings) was an object built at every CLI start.
 */
const manifestVersion: Plugin = {
  name: 'manifest-version',
  setup(builder) {
    const manifest = join(root, 'package.json');
    builder.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      if (args.path !== manifest) return undefined;
      const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * openpgp.js's AES (noble-ciphers) computes its lookup tables when the module loads: 2 × 65,536 entries and
 * 1.3 MB of typed arrays, a tenth of a cold `aam-trust verify` of an OpenPGP package, which decrypts nothing.
 * They become objects whose fields compute the tables when first read (every use destructures them inside a
 * function). A version of openpgp without these lines fails the build, to be looked at again.
 */
const lazyAesTables: Plugin = {
  name: 'lazy-aes-tables',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]openpgp[\\/]dist[\\/]node[\\/]openpgp\.mjs$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      let found = 0;
      const contents = text.replace(
        /^const (tableEncoding|tableDecoding) = \/\* @__PURE__ \*\/ (genTtable\(.*\));$/gm,
        (_line, name: string, call: string) => {
          found++;
          return `const ${name} = /* @__PURE__ */ tablesOnFirstUse(() => ${call});`;
        },
      );
      if (found !== 2)
        throw new Error(`${args.path}: the AES tables are not made as the build expects (lazyAesTables).`);
      const helper = `function tablesOnFirstUse(make) {
  let tables;
  const lazy = {};
  for (const key of ['sbox', 'sbox2', 'T0', 'T1', 'T2', 'T3', 'T01', 'T23'])
    Object.defineProperty(lazy, key, { get: () => (tables ??= make())[key] });
  return lazy;
}
`;
      return { contents: `${contents}\n${helper}`, loader: 'js' };
    });
  },
};

/** Libraries that must never be loaded at activation (SPEC §3: heavy modules load on first use). */
const HEAVY = /node_modules\/(yaml|ajv|ajv-formats|@sigstore\/[^/]+|sigstore|openpgp|@noble\/[^/]+|tuf-js)\//;

function checkStartupBundle(metafile: Metafile): void {
  const heavy = Object.keys(metafile.inputs).filter((input) => HEAVY.test(input));
  if (heavy.length > 0)
    throw new Error(
      `dist/extension.js must stay small, but it bundles ${heavy.slice(0, 5).join(', ')}${heavy.length > 5 ? ' …' : ''}: import these from the features bundle (src/extension/features.ts) instead.`,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
