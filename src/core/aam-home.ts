import { join } from 'node:path';

/** Folders of the user's AAM home (`~/.aam`). */
export interface AamHome {
  dir: string;
  keysDir: string;
  cacheDir: string;
}

export function aamHome(homeDir: string): AamHome {
  const dir = join(homeDir, '.aam');
  return { dir, keysDir: join(dir, 'keys'), cacheDir: join(dir, 'cache') };
}
