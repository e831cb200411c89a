/**
 * VS Code's Markdown preview paints the editor's background behind the page, and gives every theme colour to
 * the page as a custom property (`--vscode-editor-background`). Text in that colour, or in a theme colour that
 * is the editor's background unless a theme sets it otherwise, does not show (diff15-review P4, diff16-review
 * B4). Here each is read as one colour, PREVIEW_BACKGROUND, however the value names it.
 */

import { VSCODE_CLEAR, VSCODE_VARIABLES } from './vscode-colours.ts';

/** What the editor's background reads as in a value: the colour VS Code's Markdown preview paints behind the page. */
export const PREVIEW_BACKGROUND = 'vscode-editor-background';

/**
 * The theme colours whose default is the editor's background (in some colour scheme), or a see-through layer
 * of it, which over the editor's background is the same: read from the colour registry of VS Code 1.139.1
 * (code-server 4.139.1, `registerColor(id, editorBackground, …)` followed through the colours defined by
 * others), as `node scripts/preview-background-ids.ts` prints them. A theme may set them otherwise.
 */
const ALIASES = [
  'editor.background',
  'editorStickyScroll.background',
  'editorStickyScrollGutter.background',
  'breadcrumb.background',
  'editorGutter.background',
  'editorMarkerNavigation.background',
  'tab.activeBackground',
  'tab.unfocusedActiveBackground',
  'editorPane.background',
  'editorGroupHeader.noTabsBackground',
  'panel.background',
  'panelStickyScroll.background',
  'surface.background',
  'scmGraph.historyItemHoverLabelForeground',
  'agents.background',
  'agentsPanel.background',
  'activeSessionView.background',
  'inactiveSessionView.background',
  'notebook.editorBackground',
  'chat.requestBackground',
  'multiDiffEditor.background',
  'minimap.chatEditHighlight',
];

/**
 * The theme colours that one of VS Code's default themes (code-server 4.139.1: Dark and Light Modern, 2026, Plus,
 * VS, High Contrast) sets to a colour no one can tell from its editor background, a see-through one laid over it
 * (diff17-review H4: `--vscode-sideBar-background` hides text in both Modern themes). Printed with the list above
 * by `node scripts/preview-background-ids.ts`.
 */
const THEMED = [
  'activityBar.background',
  'activityBarBadge.foreground',
  'activityErrorBadge.foreground',
  'agentStatusIndicator.background',
  'agentsBadge.foreground',
  'agentsBottomPanel.border',
  'agentsCard.border',
  'agentsChatInput.background',
  'agentsNewSessionButton.background',
  'agentsPanel.border',
  'agentsUnreadBadge.foreground',
  'badge.foreground',
  'breadcrumbPicker.background',
  'browser.border',
  'button.foreground',
  'button.secondaryBackground',
  'checkbox.background',
  'commandCenter.background',
  'debugToolBar.background',
  'diffEditor.unchangedRegionBackground',
  'dropdown.background',
  'dropdown.listBackground',
  'editor.lineHighlightBackground',
  'editorHoverWidget.background',
  'editorIndentGuide.background1',
  'editorRuler.foreground',
  'editorStickyScroll.shadow',
  'editorSuggestWidget.background',
  'editorWidget.background',
  'extensionButton.prominentForeground',
  'inlineChat.border',
  'input.background',
  'inputValidation.warningBackground',
  'list.activeSelectionIconForeground',
  'listFilterWidget.shadow',
  'menu.background',
  'menu.selectionForeground',
  'modernActivityBar.border',
  'modernActivityBarItem.activeBackground',
  'modernActivityBarItem.activeForeground',
  'modernActivityBarItem.hoverBackground',
  'modernActivityBarItem.hoverForeground',
  'notificationCenterHeader.background',
  'notifications.background',
  'panelStickyScroll.shadow',
  'peekViewEditor.background',
  'peekViewResult.background',
  'peekViewTitle.background',
  'quickInput.background',
  'quickInputList.focusForeground',
  'quickInputList.focusHighlightForeground',
  'quickInputList.focusIconForeground',
  'quickInputTitle.background',
  'scrollbar.shadow',
  'settings.dropdownBackground',
  'sideBar.background',
  'sideBarSectionHeader.background',
  'sideBarStickyScroll.shadow',
  'statusBar.background',
  'statusBar.debuggingForeground',
  'statusBar.inactiveBackground',
  'statusBar.noFolderBackground',
  'statusBarItem.prominentForeground',
  'statusBarItem.prominentHoverForeground',
  'statusBarItem.remoteBackground',
  'statusBarItem.remoteForeground',
  'surface.border',
  'tab.activeBorder',
  'tab.hoverBackground',
  'tab.unfocusedActiveBorder',
  'tab.unfocusedHoverBackground',
  'tab.unfocusedInactiveBackground',
  'terminal.background',
  'terminal.tab.activeBorder',
  'terminalCursor.background',
  'textBlockQuote.background',
  'textCodeBlock.background',
  'textSeparator.foreground',
  'titleBar.activeBackground',
  'titleBar.inactiveBackground',
  'widget.shadow',
];

/** The custom property VS Code defines for each (`--vscode-` and the id with `.` as `-`), in lower case. */
const PROPERTIES: ReadonlySet<string> = new Set(
  [...ALIASES, ...THEMED].map((id) => `--vscode-${id.replace(/\./g, '-')}`.toLowerCase()),
);

/**
 * `var(--vscode-…[, fallback])` of the editor's background or an alias of it, in a value, as PREVIEW_BACKGROUND,
 * and of a colour VS Code defines see-through as `transparent` (diff19-review H3); `own`: the custom properties
 * the style sets itself, which stand for what they hold instead.
 */
export function onPreviewBackground(value: string, own: ReadonlySet<string>): string {
  let out = '';
  let from = 0;
  for (const match of value.matchAll(/var\(\s*(--vscode-[\w-]+)\s*[,)]/gi)) {
    const name = match[1]!;
    const read = own.has(name)
      ? undefined
      : aliased(name)
        ? PREVIEW_BACKGROUND
        : VSCODE_CLEAR.has(name)
          ? 'transparent'
          : undefined;
    if (match.index < from || read === undefined) continue;
    let depth = 0;
    let end = match.index + 3;
    for (; end < value.length; end++)
      if (value[end] === '(') depth++;
      else if (value[end] === ')' && --depth === 0) break;
    out += value.slice(from, match.index) + read;
    from = Math.min(end + 1, value.length);
  }
  // A `--vscode-` name VS Code does not define (case counts) is defined by nothing: renamed, so that it is
  // read as any other var() no one defines (diff18-review B1).
  return (out + value.slice(from)).replace(/var\(\s*(--vscode-[\w-]+)/g, (written, name: string) =>
    VSCODE_VARIABLES.has(name) || own.has(name) ? written : written.replace('--vscode-', '--undefined-vscode-'),
  );
}

/**
 * Whether a `--vscode-…` name is the editor's background: compared without case, as a browser does not (a name
 * in other letters is not VS Code's, so a var() of it takes its fallback), which errs towards hiding.
 */
function aliased(name: string): boolean {
  return PROPERTIES.has(name.toLowerCase());
}
