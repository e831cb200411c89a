/**
 * The launchers build.ts writes into dist/: the CLI's (dist/cli.js) and the
 * verification workers' (dist/verify-worker-start.js), which run their
 * bundles with V8's code cache through the one runWithCodeCache below.
 *
 * `aam-trust` (dist/cli.js): the CLI's bundle is megabytes of code, and
 * compiling it was a third of a one-package verification. Node's compile
 * cache keeps the compiled code on disk (in the temporary folder, or
 * NODE_COMPILE_CACHE), so every run after the first skips it; Node checks
 * the cached code against the file, and NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off. It has to be enabled before the bundle is loaded, hence two files.
 * \`verify\` loads a bundle of its own (dist/cli-verify.js, a third of the
 * size); every other command the whole CLI.
 *
 * Node's cache holds the code compiled when the file is loaded, not the
 * functions compiled later as they are first called — most of a run's
 * compiling. For \`verify\`, the command run cold most (CI gates, hooks), the
 * launcher keeps V8's cache of the script as a whole run left it: made at
 * the end of the first run that verified something (not --help, not a usage
 * error), read by the next ones. It lives beside Node's, in a folder of its
 * own that only this user may write (else it is not used), named by
 * Node's version and the bundle's stamp (device, inode, size, modification
 * and change times; its CRC-32 and length in the two seconds after it was
 * written, when a second write could keep the stamp: a CRC of 1.3 MB was
 * 3 ms of every run), and by Node's options when the run has any (NODE_OPTIONS
 * or on the command line: V8 rejects a cache made with other flags, so runs
 * with and without them kept writing the one cache over each other's, 50–70
 * ms each time); V8 also rejects one made by another V8 (it is then made
 * again). Same switches:
 * NODE_COMPILE_CACHE, NODE_DISABLE_COMPILE_CACHE. A new name per build
 * would fill the folder (126 files, 63 MB on a developer's machine in a
 * day): a run that writes a cache removes all but the 16 newest.
 */
const RUN_WITH_CODE_CACHE = `/** Runs a CommonJS bundle as a vm script with V8's code cache (see scripts/launchers.ts); keep(exit code) says whether a run may store it. */
function runWithCodeCache(file, keep) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return require(file);
  const fs = require('node:fs');
  const path = require('node:path');
  // Stamped before it is read: an edit after the stamp changes it, and the cache made now is not found.
  const stats = fs.statSync(file);
  // ASCII only (see asciiOnly in scripts/build.ts): V8 keeps a one-byte string.
  const source = fs.readFileSync(file, 'utf8');
  let id;
  if (Date.now() - stats.ctimeMs > 2000) {
    // The bundle's stamp (device, inode, size, modification and change times, which an edit moves), once settled.
    id = \`\${stats.dev}-\${stats.size}-\${stats.ino}-\${Math.round(stats.mtimeMs * 1e6)}-\${Math.round(stats.ctimeMs * 1e6)}\`;
  } else {
    // Written just now, when a second edit in the same clock tick would keep the stamp: its CRC-32.
    const { crc32 } = require('node:zlib');
    // Without zlib.crc32 (before Node 22.2), the bundle is required as before.
    if (typeof crc32 !== 'function') return require(file);
    id = \`\${crc32(source).toString(16)}-\${source.length}\`;
  }
  // Node's options (V8's flags among them) name a cache of their own: V8 rejects a cache made with other flags,
  // and runs with and without them would each write theirs over the other's.
  const options = [...process.execArgv, process.env.NODE_OPTIONS].filter(Boolean).join(' ');
  if (options) id += \`-o\${fnv1a(options)}\`;
  const dir = path.join(process.env.NODE_COMPILE_CACHE || path.join(require('node:os').tmpdir(), 'node-compile-cache'), 'aam-trust');
  const cacheFile = path.join(dir, \`\${process.version}-\${process.arch}-\${id}.code\`);
  // Only what this user made, and no one else may write to, is trusted with code.
  const ours = (stats) =>
    !process.getuid || (stats.uid === process.getuid() && (stats.mode & 0o022) === 0);
  let cachedData;
  try {
    const fd = fs.openSync(cacheFile, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      const stats = fs.fstatSync(fd);
      if (stats.isFile() && ours(stats) && ours(fs.statSync(dir))) cachedData = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {}
  const vm = require('node:vm');
  const wrapped = \`(function (exports, require, module, __filename, __dirname) { \${source}\\n});\`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected)
    process.once('exit', (code) => {
      if (!keep(code)) return;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!ours(fs.statSync(dir))) return;
        // Threads of one process write at once: each its own partial file.
        const partial = \`\${cacheFile}.\${process.pid}-\${require('node:worker_threads').threadId}\`;
        fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(partial, cacheFile);
        prune(dir, path.basename(cacheFile));
      } catch {}
    });
  const bundle = new Module(file, module);
  bundle.filename = file;
  const requireIt = Module.createRequire(file);
  // openpgp.js (OpenPGP packages only; two thirds the size of verify's bundle) is kept the same way.
  let openpgp;
  const required = (id) =>
    id === './openpgp.js' ? (openpgp ??= runWithCodeCache(path.join(path.dirname(file), 'openpgp.js'), keep)) : requireIt(id);
  script.runInThisContext()(bundle.exports, Object.assign(required, requireIt), bundle, file, path.dirname(file));
  return bundle.exports;
}

/** FNV-1a of a short text, in hex: a name for the options a run has. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/**
 * Every build or update names its caches anew, so the folder keeps only the 16 newest (by when each
 * was written: several installs in use keep theirs) and partial files a killed run left an hour ago.
 */
function prune(dir, kept) {
  const fs = require('node:fs');
  const path = require('node:path');
  const KEEP = 16;
  const files = [];
  for (const name of fs.readdirSync(dir)) {
    if (name === kept || !/\\.code(?:\\.\\d+-\\d+)?$/.test(name)) continue;
    const stats = fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    if (stats?.isFile()) files.push({ name, partial: !name.endsWith('.code'), mtime: stats.mtimeMs });
  }
  const caches = files.filter((f) => !f.partial).sort((a, b) => b.mtime - a.mtime);
  const stale = [
    ...caches.slice(KEEP - 1),
    ...files.filter((f) => f.partial && Date.now() - f.mtime > 3_600_000),
  ];
  for (const f of stale) fs.rmSync(path.join(dir, f.name), { force: true });
}
`;

export const CLI_LAUNCHER = `#!/usr/bin/env node
'use strict';
const Module = require('node:module');
Module.enableCompileCache?.();
if (process.argv[2] === 'verify')
  runWithCodeCache(require('node:path').join(__dirname, 'cli-verify.js'), (code) =>
    code !== 2 && !process.argv.includes('--help') && !process.argv.includes('-h'));
else require('./cli-main.js');

${RUN_WITH_CODE_CACHE}`;

/**
 * A verification worker (dist/verify-worker-start.js, started by the pool in
 * src/core/verify/threads/pool.ts) compiled dist/verify-worker.js without a
 * cache in every run: about 47 ms of a thread's start. It now runs it as the
 * CLI runs its verify bundle — same cache folder, same names (the bundle's
 * stamp and Node's version), same checks on who may write it, same switches —
 * and stores the cache when the thread ends itself after its last batch
 * (the pool's \`end\`: exit code 0 when it ran jobs, 1 when it ran none),
 * not when it ran nothing, is terminated or fails.
 */
export const WORKER_LAUNCHER = `'use strict';
const Module = require('node:module');
runWithCodeCache(require('node:path').join(__dirname, 'verify-worker.js'), (code) => code === 0);

${RUN_WITH_CODE_CACHE}`;
