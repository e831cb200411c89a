/**
 * A table's columns and the backgrounds they paint behind its cells (inherited.ts), under the cells' rows and
 * their own (diff23-review R4b). Each cell is under the columns it spans, counted as a browser counts them
 * (`span`, `colspan`), so a pricing table's blue column is not behind its grey one (diff28-review F1). Where
 * that count is not sure (a `rowspan` shifts the cells of later rows, a coloured `<colgroup>` spans columns not
 * followed here, more columns than are counted), every column's background is behind every cell.
 */
import { NONE, together } from './backdrop.ts';
import type { Backdrop } from './backdrop.ts';

/** Elements in which a table's tags are not HTML's table (foreign content), or not rendered (a template). */
const FOREIGN = new Set(['svg', 'math', 'template']);
/** Columns counted in a table, and columns a cell spans, at most (HTML's own limit on `span` is 1,000). */
const MOST_COLUMNS = 1_000;
const MOST_SPANNED = 64;

export class TableColumns {
  private readonly columns: (readonly string[])[] = [];
  /** Every column's background, each once. */
  private all: readonly string[] = [];
  private cell = 0;
  private unsure = false;
  /** The columns of a <colgroup> with no <col> yet: its span, added if none comes. */
  private group = 0;

  /** Where the table is among the open elements, and how many svg, math, template were open below it. */
  at: number;
  foreign: number;

  constructor(at: number, foreign: number) {
    this.at = at;
    this.foreign = foreign;
  }

  /** A `<col>` or `<colgroup>` (its `span`), and the background it paints. */
  column(name: string, paints: Backdrop | undefined, span: string | undefined): void {
    const values = paints?.values ?? [];
    const count = Math.min(Math.max(1, Number.parseInt(span ?? '1', 10) || 1), MOST_COLUMNS);
    // A <col> is its group's: the group's span counts only where it has none.
    if (name === 'col') this.group = 0;
    this.grouped();
    if (name === 'colgroup') {
      // A group's columns are its <col>s, or its span; its background is followed as behind every cell.
      this.group = count;
      if (values.length > 0) [this.unsure, this.all] = [true, together(values, this.all)];
      return;
    }
    this.add(count, values);
    if (values.length > 0) this.all = together(values, this.all);
  }

  /** Columns whose cells are not counted as a browser counts them (a cell or column hidden, displayed otherwise). */
  doubt(): void {
    this.unsure = true;
  }

  /** A row starts (a <tr>, a row group, or a cell after a row's end): its first cell is in the first column. */
  row(): void {
    this.grouped();
    this.cell = 0;
  }

  /** A <colgroup> ends (its end tag, a row, a cell): with no <col> in it, its span's columns. */
  grouped(): void {
    this.add(this.group, []);
    this.group = 0;
  }

  private add(count: number, values: readonly string[]): void {
    for (let i = 0; i < count; i++) {
      if (this.columns.length >= MOST_COLUMNS) this.unsure = true;
      else this.columns.push(values);
    }
  }

  /** The backgrounds of the columns behind a cell that starts here (its `colspan` and `rowspan`). */
  under(colspan: string | undefined, rowspan: string | undefined): readonly string[] {
    this.grouped();
    const first = this.cell;
    const spans = Math.min(Math.max(1, Number.parseInt(colspan ?? '1', 10) || 1), MOST_COLUMNS);
    this.cell += spans;
    const sure = !this.unsure && spans <= MOST_SPANNED;
    const rows = Number.parseInt(rowspan ?? '1', 10);
    if (rows !== 1 && !Number.isNaN(rows)) this.unsure = true;
    if (!sure) return this.all;
    let values: readonly string[] = [];
    for (let i = first; i < first + spans && i < this.columns.length; i++) values = together(this.columns[i]!, values);
    return values;
  }
}

/**
 * The tables open among a document's open elements (inherited.ts), each with its columns, and the foreign
 * elements open (svg, math, template: a <col> in one of them above a table is no column of it).
 */
export class OpenTables {
  private readonly tables: TableColumns[] = [];
  private foreign = 0;

  /** How many tables are open (a table part outside one is dropped). */
  get count(): number {
    return this.tables.length;
  }

  /**
   * Where the innermost open table is among the open elements (-1: none); `clear`, -1 too when an <svg>, <math>
   * or <template> opened in it since, where its parts are not a table's.
   */
  innermost(clear = false): number {
    const table = this.tables.at(-1);
    return table && (!clear || this.foreign === table.foreign) ? table.at : -1;
  }

  /** A row ends (`</tr>`): a cell after it starts a row of its own; or a column group (`</colgroup>`). */
  ended(name: string): void {
    if (name === 'tr') this.tables.at(-1)?.row();
    if (name === 'colgroup') this.tables.at(-1)?.grouped();
  }

  /**
   * An element placed at `at` among the open elements; a table put back where it was (a paragraph's end puts
   * back the blocks opened in it: inherited.ts) keeps its columns (`kept`). Returns a table's columns.
   */
  placed(name: string, at: number, kept?: TableColumns): TableColumns | undefined {
    let table: TableColumns | undefined;
    if (name === 'table') {
      table = kept ?? new TableColumns(at, this.foreign);
      [table.at, table.foreign] = [at, this.foreign];
      this.tables.push(table);
    }
    if (FOREIGN.has(name)) this.foreign++;
    return table;
  }

  /** The open elements cut to `length`: `removed`, the names of those taken off. */
  cut(length: number, removed: readonly string[]): void {
    for (const name of removed) if (FOREIGN.has(name)) this.foreign--;
    while (this.tables.length > 0 && this.tables.at(-1)!.at >= length) this.tables.pop();
  }

  /**
   * A column opens in its table, which a browser clears of what is open in it first (a cell, a row: §13.2.6.4.9),
   * but not in an <svg>, <math> or <template> in the table (diff26-review H2; one left open before the table is no
   * matter: diff27-review A6). Returns how many open elements to keep, or undefined to cut none.
   */
  column(name: string, paints: Backdrop | undefined, attributes?: ReadonlyMap<string, string>): number | undefined {
    const table = this.tables.at(-1);
    if (!table) return undefined;
    if (hidden(attributes)) table.doubt();
    table.column(name, paints, attributes?.get('span'));
    return this.foreign === table.foreign ? table.at + 1 : undefined;
  }

  /**
   * The column backgrounds behind a cell that starts here (none for anything but a cell), unless its row or row
   * group paints over them (`covers(at)`: whether the open element at `at` does; looked for a few elements down
   * from `top`: past that, they are behind it).
   */
  cell(
    name: string,
    attributes: ReadonlyMap<string, string> | undefined,
    top: number,
    covers: (at: number) => boolean,
  ) {
    const table = this.tables.at(-1);
    if (!table || this.foreign !== table.foreign) return NONE;
    if (/^(?:tr|tbody|thead|tfoot)$/.test(name)) table.row();
    if (name !== 'td' && name !== 'th') return NONE;
    if (hidden(attributes)) table.doubt();
    const under = table.under(attributes?.get('colspan'), attributes?.get('rowspan'));
    for (let i = top; i > table.at && i > top - 8; i--) if (covers(i)) return NONE;
    return under;
  }
}

/** Whether a cell or column may not be laid out where it is written: hidden, or displayed otherwise. */
function hidden(attributes: ReadonlyMap<string, string> | undefined): boolean {
  return !!attributes && (attributes.has('hidden') || /display|\\/i.test(attributes.get('style') ?? ''));
}
