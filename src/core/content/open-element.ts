/** An element on the open elements that inherited.ts follows across a document's HTML. */
import type { Backdrop, Backdrops } from './backdrop.ts';
import type { TableColumns } from './columns.ts';
import type { Placed } from './html-tree.ts';
import type { Layout } from './layout.ts';

/**
 * An open element: its name, what its children inherit and the backgrounds behind their text; and its own part of
 * each (what its style passes down, and the backgrounds it paints), to open it again where a browser does.
 */
export interface Open extends Backdrops, Placed {
  /** How its style lays it out: a block or not, moved off what its parent paints or not… (layout.ts). */
  layout: Layout;
  inherited: string | undefined;
  passed: string;
  paints: Backdrop | undefined;
  /** A table's columns (columns.ts), kept where it is put back. */
  columns?: TableColumns;
  /** An `<a href>` without a colour of its own: the preview draws its text in the link's (diff38-review F8). */
  link?: boolean;
  /** It hides what it holds (hidden-element.ts `hiddenBy`): kept where it is opened again (diff39-review E2). */
  hides?: boolean;
  /** Told where it is taken off the stack (hidden-element.ts: where its report ends). */
  closed?: (at: number, through: number) => void;
}
