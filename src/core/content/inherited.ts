/**
 * What an element's style takes from the elements around it: custom properties and the inherited properties that
 * decide whether its letters show (diff17-review X: `<div style="--c: transparent"><p style="color: var(--c)">` hid
 * the text, each tag's style judged alone). The open elements are followed across a document's HTML in order, each
 * with the declarations it passes down, outermost first, so a tag's style is judged after them, as a browser does.
 */
import { backdropOf, backdropsIn, behindIn, beneath, either, NONE, together } from './backdrop.ts';
import { layoutOf } from './layout.ts';
import { appliedValue } from './read-style.ts';
import { OpenTables } from './columns.ts';
import type { Backdrop, Backdrops } from './backdrop.ts';
import { MAX_INHERITED, MAX_READ_AGAIN, PAINTING, passedDown } from './passed-down.ts';
import * as tree from './html-tree.ts';
import type { Open } from './open-element.ts';
import type { Judged } from './styles.ts';

/**
 * The elements open at a point of a document, each with what it and those around it pass down. The stack is HTML's
 * tree only roughly (diff19-review H1), so what it adds are findings: a style is judged alone as well (markdown.ts).
 */
export class OpenElements {
  protected readonly open: Open[] = [];
  /** The formatting elements end tags closed that wait to be opened again at the next text (`text()`). */
  private pending: Open[] = [];
  private readAgain = 0;
  /** The tables open, with their columns (columns.ts). */
  private readonly tables = new OpenTables();
  /** How many markers are open (§13.2.4.3: cells and the like), and how many were when `pending` was set. */
  private markers = 0;
  private pendingMarkers = 0;
  /** The elements at the bottom of the stack whose inheritance is no longer known (an end tag searched past). */
  private lost = 0;
  private form = false; // the parser's form element pointer is set (until a </form>): a <form> start is ignored
  /** Whether the styles of this document were read with less than they inherit (past MAX_READ_AGAIN). */
  exhausted = false;
  /** How many open elements hide what they hold: text while one is open is not drawn (diff39-review E1). */
  protected hiding = 0;

  /** What the children of the open element at `at` (-1: the document) inherit; undefined past MAX_INHERITED, or lost. */
  private inherited(at: number): string | undefined {
    return at < 0 ? '' : this.lost > 0 ? undefined : this.open[at]!.inherited;
  }

  /** The backgrounds around what starts in the element at `at`; fostered out of a table, the table's too (rough stack). */
  private backdropsAt(at: number): Backdrops | undefined {
    const top = this.open.at(-1);
    return at === this.open.length - 1 || at < 0 ? top : either(this.open[at]!, top!);
  }

  /**
   * An element opens (void ones hold nothing, and are not followed; table parts outside a table are dropped),
   * ending those its start ends in scope. Returns how its style is read (`judge`: it is read): after what it
   * inherits, over the backgrounds painted behind it unless its own colour covers its box (backdrop.ts);
   * undefined when neither is there, or when that is more than is read (then `exhausted`).
   */
  start(
    name: string,
    style: string | undefined,
    isVoid: boolean | 'self-closing',
    judge: boolean,
    attributes?: ReadonlyMap<string, string>,
  ): Judged | undefined {
    // SVG's and MathML's own tags end nothing of HTML, nor is a form of theirs HTML's (diff36-review F2, P6).
    const out = tree.brokenOut(this.open, name, attributes);
    if (out !== undefined) this.cut(out);
    const foreign = out === undefined && tree.inForeign(this.open.at(-1));
    if (name === 'form' && this.form && !foreign) return undefined; // ignored, <p> not ended (§13.2.6.4.7: diff35 F1)
    if (name === 'form' && !foreign) this.form = true;
    // In a table, a start ends a column group, what was moved out of the table, a cell, or the table (html-tree.ts).
    if (this.open.at(-1)?.name === 'colgroup' && name !== 'col' && name !== 'template') this.end('colgroup');
    const kept = tree.keptAtTableStart(this.open, name, this.tables.innermost(true), this.open.at(-1)?.context ?? -1);
    // What was moved out of the table is opened again at the next text, as an end tag would leave it (R2).
    if (kept !== undefined) this.closeAt(kept, true);
    for (const ended of foreign ? [] : tree.ENDED_BY_START) {
      const at = ended(this.open, name);
      if (at !== undefined) this.closeAt(at);
    }
    // An <a> among the formatting elements, or a <nobr> in scope, is ended first: the adoption agency (§13.2.6.4.7).
    if ((name === 'a' || name === 'nobr') && !foreign && this.formatting(name)) this.end(name);
    // A start tag of what text holds opens the formatting elements an end tag closed again, where it is.
    const fold = tree.SPECIAL.has(name) && name !== 'table' && !tree.TABLE_PARTS.has(name) && !tree.MARKERS.has(name);
    // (<applet>, <marquee> and <object> too, before their marker: diff25-review P1.)
    if (
      !fold &&
      !tree.OPENS_NOTHING.has(name) &&
      name !== 'table' &&
      name !== 'template' &&
      !tree.TABLE_PARTS.has(name)
    )
      this.text();
    const hiddenInput = name === 'input' && attributes?.get('type')?.trim().toLowerCase() === 'hidden';
    const at = tree.parentIndex(this.open, name, this.tables.innermost(), hiddenInput);
    const around = this.inherited(at);
    const table = name === 'table' || tree.TABLE_PARTS.has(name);
    const parent = this.open[at];
    const layout = layoutOf(style, name, parent?.layout, table);
    // The column backgrounds behind a cell that starts here (columns.ts); behind a caption, what is behind its table,
    // which paints its background beside the caption, not under it (diff31-review E4).
    const under =
      name === 'caption'
        ? (this.open[this.tables.innermost() - 1]?.blockBackdrop ?? NONE)
        : this.tables.cell(name, attributes, this.open.length - 1, (i) => !!this.open[i]!.paints?.covering);
    const behind = together(
      under,
      around === undefined ? NONE : behindIn(this.backdropsAt(at), layout.block, layout.moved),
    );
    let judged: Judged | undefined;
    let own: Backdrop | undefined;
    if (judge && style !== undefined && around !== undefined && PAINTING.test(style)) {
      if ((this.readAgain += around.length) > MAX_READ_AGAIN) this.exhausted = true;
      else own = backdropOf(style, around, layout.sized);
    }
    // A block that starts before any text after formatting elements an end tag closed holds them, and so does each
    // block in it before the text: a browser opens them again at the text, inside it, so its text is in their
    // colour, not its own (diff23-review R1, diff24-review P2). Not a table or its parts, nor in a cell opened
    // since (a marker: P3); <hr>, <source>… open nothing (P1).
    const waiting = fold && this.waiting() ? this.pending : [];
    const reopened = waiting.map(({ passed }) => passed).join('');
    // And over what they paint, in front of its own background (a <font> a Markdown paragraph's end closed: F4), but
    // a link's, whose text is in the link's colour (diff37-review F4).
    const over = waiting.flatMap(({ link, paints }) => (link ? [] : (paints?.values ?? [])));
    const read = style === undefined ? undefined : style + (reopened && `;${reopened}`);
    if (judge && read !== undefined && (around !== '' || behind.length > 0 || reopened !== '' || over.length > 0))
      if (around === undefined || (this.readAgain += around.length) > MAX_READ_AGAIN) this.exhausted = true;
      else judged = { inherited: around, style: read, behind: together(over, own?.covering ? NONE : behind) };
    if (tree.TABLE_PARTS.has(name) && this.tables.count === 0) return judged;
    // A column opens in its table (columns.ts), clearing it of what is open in it.
    const keep = name === 'col' || name === 'colgroup' ? this.tables.column(name, own, attributes) : undefined;
    if (keep !== undefined) this.cut(keep);
    // A self-closing tag is void in SVG or MathML (diff33-review P1), and a form in a table closed at once (§13.2.6.4.9).
    const empty =
      isVoid === true || (isVoid && (foreign || name === 'svg' || name === 'math')) || tree.VOID_TOO.has(name);
    if (empty || (name === 'form' && tree.FOSTERING.has(this.open.at(-1)?.name ?? ''))) return judged;
    const passed = (style ? passedDown(style) : '') + reopened;
    this.push(
      {
        name,
        layout,
        passed,
        paints: own,
        link: name === 'a' && !!attributes?.has('href') && !appliedValue(style ?? '', 'color'),
      },
      under,
    );
    return judged;
  }

  /** Whether a formatting element `name` waits to be opened again, or is open above the last marker (searched as `end`). */
  private formatting(name: string): boolean {
    if (this.waiting() && this.pending.some((element) => element.name === name)) return true;
    for (let i = this.open.length - 1; i >= Math.max(0, this.open.length - tree.MAX_CLOSE_SEARCH); i--)
      if (this.open[i]!.name === name) return true;
      else if (tree.MARKERS.has(this.open[i]!.name)) return false;
    return false;
  }

  /** Text between tags: the formatting elements an end tag closed open again around it, unless in a cell since. */
  text(): void {
    if (!this.waiting()) return;
    const pending = this.pending;
    this.pending = [];
    for (const element of pending) this.push(element);
  }

  /** Whether formatting elements wait to be opened again here (none, or a marker opened since: not here). */
  private waiting(): boolean {
    return this.pending.length > 0 && this.markers === this.pendingMarkers;
  }

  /** An element opens inside the innermost open one, taking what it passes down. */
  protected push(element: Omit<Open, 'inherited' | keyof Backdrops>, under: readonly string[] = NONE): void {
    const { passed, paints, layout } = element;
    const at = tree.parentIndex(this.open, element.name, this.tables.innermost());
    const around = this.inherited(at);
    const inherited =
      around === undefined || around.length + passed.length > MAX_INHERITED ? undefined : around + passed;
    // A cell's columns are under it (start), over what its row has behind it.
    const parent = around === undefined ? undefined : this.backdropsAt(at);
    const backdrops = backdropsIn(beneath(parent, under), layout.block, layout.moved, paints);
    this.place({ ...element, inherited, ...backdrops });
  }

  /** An element on top of the stack, counted. */
  protected place(element: Open): void {
    const at = this.open.push(element) - 1;
    Object.assign(element, tree.placedAt(element.name, at, this.open[at - 1]));
    element.columns = this.tables.placed(element.name, at, element.columns);
    if (tree.MARKERS.has(element.name)) this.markers++;
    if (element.hides) this.hiding++;
  }

  /**
   * The stack cut to `length` elements by an end tag, and the formatting elements it closed kept to be opened
   * again, with what they pass down, at the next text or inside the blocks before it (§13.2.4.3); not those inside
   * a table cell or another marker, nor any when the element closed is one (diff21-review: `<div><b style="--c:
   * transparent">x</div><i style="color: var(--c)">` hid the text).
   */
  private closeAt(length: number, all = false): void {
    const closed = this.open.slice(length);
    this.cut(length);
    if (tree.MARKERS.has(closed[0]!.name)) {
      if (this.pendingMarkers > this.markers) this.pending = []; // those inside the cell; those before it wait on
      return;
    }
    const marker = closed.findIndex(({ name }) => tree.MARKERS.has(name));
    const reopened = closed
      .slice(all ? 0 : 1, marker < 0 ? closed.length : marker)
      .filter(({ name }) => tree.FORMATTING.has(name));
    // They wait for the next text, with those not opened again yet (an empty <p> before: diff24-review P2).
    if (this.markers !== this.pendingMarkers) this.pending = [];
    const again = (kept: Open) => reopened.some(({ name, passed }) => name === kept.name && passed === kept.passed);
    this.pending = [...this.pending.filter((kept) => !again(kept)), ...reopened].slice(-tree.MOST_PENDING);
    this.pendingMarkers = this.markers;
  }

  /**
   * An end tag closes the innermost open element of its name, and those opened inside it; an inline element's
   * end tag closes nothing past a block (a browser ignores it). Past the depth searched, the stack is lost.
   */
  end(name: string): void {
    if (name === 'form') this.form = false;
    this.tables.ended(name);
    // The end tag of a formatting element that waits to be opened again takes it out of the list (§13.2.6.4.7).
    const waiting = this.waiting() ? this.pending.findLastIndex((element) => element.name === name) : -1;
    if (waiting >= 0) return void this.pending.splice(waiting, 1);
    // An open <p> in button scope is kept with each element: one look (diff35-review F3).
    if (name === 'p') {
      const p = this.open.at(-1)?.p ?? -1;
      return p < 0 ? undefined : this.closeAt(p);
    }
    const scope = tree.endScope(name);
    for (let i = this.open.length - 1; i >= Math.max(0, this.open.length - tree.MAX_CLOSE_SEARCH); i--) {
      if (tree.endsOpen(name, this.open[i]!.name)) return name === 'form' ? this.remove(i) : this.adopt(i);
      if (scope(this.open[i]!)) return;
    }
    if (this.open.length > tree.MAX_CLOSE_SEARCH) this.lost = this.open.length;
  }

  /** `</form>` takes the form alone off the stack: what opened in it stays open (§13.2.6.4.7: diff35-review F1b). */
  private remove(at: number): void {
    // What HTML's parser closes first, while it is the current node: a <p>, a list item… (diff36-review F1).
    for (let top = this.open.length - 1; top > at && tree.IMPLIED_END_TAGS.has(this.open[top]!.name); top--)
      this.cut(top);
    const above = this.open.slice(at + 1);
    this.cut(at);
    for (const element of above) this.place(element);
  }

  /** An end tag closes the element at `at`; a formatting element's moves blocks opened in it since out (`adoption`). */
  private adopt(at: number): void {
    const element = this.open[at]!;
    const moved = tree.FORMATTING.has(element.name) ? tree.adoption(this.open.slice(at + 1)) : undefined;
    if (!moved) return this.closeAt(at);
    this.cut(at);
    for (const open of [...moved.kept, ...(moved.copy ? [element] : [])]) this.push(open);
    const length = this.open.length;
    for (const open of moved.rest) this.push(open);
    if (!moved.copy && moved.rest.length > 0) this.closeAt(length, true);
  }

  /** The stack cut to `length` elements. */
  protected cut(length: number): void {
    for (const { hides } of this.open.slice(length)) if (hides) this.hiding--;
    const removed = this.open.slice(length).map(({ name }) => name);
    for (const name of removed) if (tree.MARKERS.has(name)) this.markers--;
    this.tables.cut(length, removed);
    this.open.length = length;
    this.lost = Math.min(this.lost, length);
  }
}
