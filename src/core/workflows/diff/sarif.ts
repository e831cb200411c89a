import { YamlSource } from '../../yaml/source.ts';
import { sarifLog } from '../sarif-log.ts';
import type { ProjectState } from './state.ts';
import { describePolicyChange } from './trust-diff.ts';
import type { TrustDiff } from './trust-diff.ts';
import type { PackageContentChange } from './content-diff.ts';
import { hiddenMessage } from '../../content/describe.ts';
import { lineChanges } from '../review/text-diff.ts';

const RULES = {
  SIGNER_CHANGED: { level: 'error', text: 'A package is signed by another signer than before' },
  SIGNATURE_REMOVED: { level: 'error', text: 'A package that was signed is now unsigned' },
  DOWNGRADE: { level: 'error', text: 'A package was downgraded to a lower version' },
  NEWLY_FAILING: { level: 'error', text: 'A package fails verification under the current policy' },
  POLICY_WEAKER: { level: 'error', text: 'The project policy trusts more than before' },
  POLICY_CHANGED: { level: 'note', text: 'The project policy changed' },
  PACKAGE_CHANGED: { level: 'note', text: 'A package was added, removed or changed' },
  CONTENT_CHANGED: { level: 'note', text: 'A file agents load changes' },
  HIDDEN_CONTENT: { level: 'warning', text: 'A file agents load holds hidden content' },
} as const;

type RuleId = keyof typeof RULES;

/**
 * A Trust Diff as SARIF 2.1.0, for code-scanning annotations: each finding on
 * its lock-file line (or config line), its rule and level. `prefix` is the
 * project folder relative to the repository root ('' at the root).
 */
export function toSarif(
  diff: TrustDiff,
  head: ProjectState,
  prefix: string,
  content: { changes: readonly PackageContentChange[]; projectRoot: string } = { changes: [], projectRoot: '' },
): Record<string, unknown> {
  const lock = new YamlSource(head.lockText);
  const config = new YamlSource(head.configText);
  // The trust record's text is not kept: its findings point at its first line.
  const at = (file: 'aam-lock.yaml' | 'config.yaml' | 'trust-record.yaml', path: string[]) => {
    const source = file === 'aam-lock.yaml' ? lock : file === 'config.yaml' ? config : undefined;
    const found =
      source && (file === 'aam-lock.yaml' ? head.lockText : head.configText).trim() ? source.keyRange(path) : undefined;
    const line = found ? found.start.line + 1 : 1;
    return [
      {
        physicalLocation: {
          artifactLocation: { uri: `${prefix ? `${prefix}/` : ''}.aam/${file}`, uriBaseId: '%SRCROOT%' },
          region: { startLine: line, startColumn: (found?.start.character ?? 0) + 1 },
        },
      },
    ];
  };
  const results: Record<string, unknown>[] = [];
  const result = (ruleId: RuleId, text: string, locations: unknown[]) =>
    results.push({ ruleId, level: RULES[ruleId].level, message: { text }, locations });
  for (const pkg of diff.packages) {
    const where = pkg.after ? at('aam-lock.yaml', ['packages', pkg.name]) : at('aam-lock.yaml', ['packages']);
    for (const problem of pkg.problems) result(problem.code, `${pkg.name}: ${problem.message}`, where);
    if (pkg.problems.length === 0 && pkg.change !== 'unchanged')
      result(
        'PACKAGE_CHANGED',
        `${pkg.name}: ${pkg.change}${pkg.before && pkg.after ? ` ${pkg.before.version} → ${pkg.after.version}` : ''}`,
        where,
      );
  }
  // Each file agents would load differently is a result on its first changed line (the lock file for one outside the project).
  const inProject = (path: string) => path.startsWith(`${content.projectRoot}/`);
  const fileAt = (path: string, line: number, column = 1) => {
    const file = path.replace(/ § .*$/, '');
    if (!inProject(file)) return at('aam-lock.yaml', ['packages']);
    const uri = `${prefix ? `${prefix}/` : ''}${file.slice(content.projectRoot.length + 1)}`;
    return [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
          region: { startLine: line, startColumn: column },
        },
      },
    ];
  };
  for (const pkg of content.changes)
    for (const file of pkg.files) {
      const { added, removed, firstLine } = lineChanges(file);
      const section = file.path.includes(' § ');
      result(
        'CONTENT_CHANGED',
        `${pkg.name}: ${file.platform} ${file.change} ${file.path.slice(content.projectRoot.length + 1) || file.path} (+${added} −${removed})`,
        fileAt(file.path, section ? 1 : firstLine),
      );
      for (const item of file.hidden)
        result(
          'HIDDEN_CONTENT',
          `${pkg.name}: ${hiddenMessage(item)}`,
          fileAt(file.path, item.start.line + 1, item.start.character + 1),
        );
    }
  for (const change of diff.policy)
    result(
      change.weaker ? 'POLICY_WEAKER' : 'POLICY_CHANGED',
      describePolicyChange(change),
      change.where === 'record'
        ? at('trust-record.yaml', [])
        : at('config.yaml', change.where === 'config' ? ['registries'] : ['security', change.key]),
    );
  return sarifLog(
    (Object.keys(RULES) as RuleId[]).map((id) => ({ id, text: RULES[id].text, level: RULES[id].level })),
    results,
  );
}
