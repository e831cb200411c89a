import { stat } from 'node:fs/promises';

/**
 * The name the launcher (scripts/launchers.ts) gives a bundle's code cache once the bundle has
 * settled: Node's version and the bundle's stamp. In the two seconds after a build it names the
 * cache by the bundle's CRC instead, and a later run uses the other name; so this first waits for
 * the bundle to settle, or a test run right after `npm run build` would corrupt one file and watch
 * the launcher read the other.
 */
export async function settledCacheName(bundle: string): Promise<string> {
  const wait = 2_100 - (Date.now() - (await stat(bundle)).ctimeMs);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const s = await stat(bundle);
  const stamp = `${s.dev}-${s.size}-${s.ino}-${Math.round(s.mtimeMs * 1e6)}-${Math.round(s.ctimeMs * 1e6)}`;
  return `${process.version}-${process.arch}-${stamp}.code`;
}
