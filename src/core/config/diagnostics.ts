import type { Range, YamlPath } from '../yaml/source.ts';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** One finding in a config file, at an exact range, with an optional machine-applicable fix. */
export interface ConfigDiagnostic {
  severity: Severity;
  code: string;
  message: string;
  range: Range;
  path: YamlPath;
  /** Replacement text for the diagnostic's range (the quick fix). */
  fix?: { title: string; replacement: string };
}

export function hasErrors(diagnostics: readonly ConfigDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** `file:line:col: severity code: message` with 1-based line and column, as compilers print. */
export function formatDiagnostic(file: string, d: ConfigDiagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}
