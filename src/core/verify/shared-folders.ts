import { toFsName } from '../model/names.ts';
import type { Finding } from './verdict/findings.ts';
import type { PackageReport } from './verdict/report.ts';

/**
 * The reports of `names`, in order, with a failing finding on each package
 * whose installed folder another package of the lock file (`locked`, every
 * one, also when only some are reported) has too. aam stores `@scope/name`
 * as `scope--name` (SPEC §1), and names may hold `--` themselves:
 * `@acme/tool` and `acme--tool` are both `.aam/packages/acme--tool/`, so the
 * folder holds the files of the one installed last, and the other's verdict
 * (tampered, as its files are not its own) would blame it alone. A report is
 * copied, not changed: reports are kept and reused.
 */
export function withSharedFolders(
  names: readonly string[],
  reports: ReadonlyMap<string, PackageReport>,
  locked: readonly string[],
): PackageReport[] {
  const reported = names.flatMap((name) => reports.get(name) ?? []);
  // Two names share a folder only when one of them holds `--` (`acme--tool`, `@acme/tool`): most lock files have none.
  if (!locked.some((name) => name.includes('--'))) return reported;
  const byFolder = new Map<string, string[]>();
  for (const name of locked) {
    const folder = folderOf(name);
    if (folder !== undefined) byFolder.set(folder, [...(byFolder.get(folder) ?? []), name]);
  }
  return reported.map((report) => {
    const folder = folderOf(report.name);
    const sharing = folder === undefined ? [] : (byFolder.get(folder) ?? []);
    if (sharing.length < 2) return report;
    return { ...report, findings: [...report.findings, sharedFolder(report.name, [...sharing].sort(), folder!)] };
  });
}

function sharedFolder(name: string, sharing: readonly string[], folder: string): Finding {
  const others = sharing.filter((n) => n !== name);
  const all = `${sharing.slice(0, -1).join(', ')} and ${sharing.at(-1)}`;
  return {
    code: 'FOLDER_SHARED',
    action: 'fail',
    message: `${all} are ${sharing.length > 2 ? 'all' : 'both'} installed in .aam/packages/${folder}/ (aam stores @scope/name as scope--name): the folder holds the files of the one installed last, so the verdict on ${name}'s files may be about ${others.join(' or ')}'s.`,
    expected: `.aam/packages/${folder}/ holding one package`,
    actual: sharing.join(', '),
    hint: `These are different packages, perhaps from different publishers (a name shaped like another package's folder can be an impersonation): keep only the one you meant. To keep ${name}: ${others.map((o) => `aam uninstall ${o}`).join(', ')}, then aam-trust install ${name} --force.`,
  };
}

/** The folder a name is installed in; none for a name that cannot be one (never installed). */
function folderOf(name: string): string | undefined {
  try {
    return toFsName(name);
  } catch {
    return undefined;
  }
}
