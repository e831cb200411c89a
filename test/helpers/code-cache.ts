import { stat } from 'node:fs/promises';

/**
 * The name the launcher (scripts/launchers.ts) gives a bundle's code cache once the bundle has
 * settled: Node's version, the bundle's stamp, and Node's options when the run has any (`options`:
 * this process's own unless given; a CLI test's process has none). In the two seconds after a build
 * it names the cache by the bundle's CRC instead, and a later run uses the other name; so this first
 * waits for the bundle to settle, or a test run right after `npm run build` would corrupt one file
 * and watch the launcher read the other.
 */
export async function settledCacheName(bundle: string, options = nodeOptions()): Promise<string> {
  const wait = 2_100 - (Date.now() - (await stat(bundle)).ctimeMs);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const s = await stat(bundle);
  const stamp = `${s.dev}-${s.size}-${s.ino}-${Math.round(s.mtimeMs * 1e6)}-${Math.round(s.ctimeMs * 1e6)}`;
  return `${process.version}-${process.arch}-${stamp}${options ? `-o${fnv1a(options)}` : ''}.code`;
}

/** This process's Node options as the launcher reads them: its command line's, then NODE_OPTIONS. */
export function nodeOptions(): string {
  return [...process.execArgv, process.env.NODE_OPTIONS].filter(Boolean).join(' ');
}

/** FNV-1a in hex, as the launcher names options. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}
