import { randomBytes } from 'node:crypto';
import { scopeText } from './formats.ts';
import type { ComplianceReport, ReportPageData } from './model.ts';

export interface ReportPageOptions {
  /** The page script (dist/webview/compliance-report.js): inline for a standalone page, or a URL in a webview. */
  script: { inline: string } | { src: string };
  /** A webview's resource origin (webview.cspSource); absent for a standalone file. */
  cspSource?: string;
  nonce?: string;
}

/**
 * The signing-compliance report as one HTML page. Standalone, it carries its
 * script (Chart.js included) inline and a Content-Security-Policy that allows
 * no network at all, so it opens from disk or a CI artifact as it is; in the
 * editor's webview the same page loads the script from the extension.
 */
export function reportPage(report: ComplianceReport, options: ReportPageOptions): string {
  const nonce = options.nonce ?? randomBytes(16).toString('base64');
  const source = options.cspSource ? ` ${options.cspSource}` : '';
  const csp = [
    `default-src 'none'`,
    `style-src${source} 'unsafe-inline'`,
    `img-src${source} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const data: ReportPageData = { report, scope: scopeText(report) };
  // JSON in a <script> block must not close it early: every "<" is written as its escape.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const script =
    'inline' in options.script
      ? `<script nonce="${nonce}">${options.script.inline.replace(/<\/script/gi, '<\\/script')}</script>`
      : `<script nonce="${nonce}" src="${escapeAttribute(options.script.src)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signing compliance — ${escapeText(data.scope)}</title>
<style>${STYLE}</style></head>
<body><main id="app" aria-live="polite"></main>
<script type="application/json" id="report-data">${json}</script>
${script}
</body></html>
`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

// VS Code's theme variables in the webview, plain colours in a browser.
const STYLE = `
body { font-family: var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-foreground, #1f2328);
  background: var(--vscode-editor-background, #fff); margin: 0; padding: 16px 24px 40px; }
h1 { font-size: 1.4em; margin: 0 0 4px; } h2 { font-size: 1.1em; margin: 0 0 8px; }
.meta { color: var(--vscode-descriptionForeground, #59636e); font-size: 0.92em; }
.totals { display: flex; gap: 24px; margin: 14px 0; } .totals div { font-size: 1.05em; }
.totals strong { font-size: 1.6em; display: block; } .bad strong { color: var(--vscode-errorForeground, #cf222e); }
.notice { color: var(--vscode-editorWarning-foreground, #9a6700); margin: 4px 0; }
.unchecked { color: var(--vscode-errorForeground, #cf222e); white-space: pre-line; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px; margin: 18px 0; }
.chart { border: 1px solid var(--vscode-widget-border, #d1d9e0); border-radius: 6px; padding: 12px; }
.chart .canvas { position: relative; height: 240px; } .chart canvas { cursor: pointer; }
.bars { list-style: none; padding: 0; margin: 8px 0 0; font-size: 0.9em; display: flex; flex-wrap: wrap; gap: 4px 14px; }
a { color: var(--vscode-textLink-foreground, #0969da); } a.active { font-weight: 700; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; margin-top: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-widget-border, #d1d9e0); vertical-align: top; }
th { font-weight: 600; } td.why { max-width: 520px; } tr.fail td.status { color: var(--vscode-errorForeground, #cf222e); }
.filter { display: flex; gap: 12px; align-items: baseline; margin-top: 24px; }
button { font: inherit; color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #1f6feb);
  border: none; border-radius: 3px; padding: 4px 12px; cursor: pointer; }
`;
