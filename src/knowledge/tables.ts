// Finds tab-separated tables in the plain text of a policy (a table copied from a web page
// or a spreadsheet: Keep capp-004's sensor table, 小红书 capp-053's permission table).
// A cell may hold several lines; such a row goes on until it has as many cells as the
// header, and a line without a tab between two rows continues the last cell.

export interface TableRow {
  /** 1-based source lines of the row (inclusive). */
  first: number;
  last: number;
  cells: string[];
}

export interface FoundTable {
  /** Index of the first and last line of the table in the given line list. */
  start: number;
  end: number;
  /** The header row first. */
  rows: TableRow[];
}

interface Line {
  no: number;
  text: string;
}

/**
 * Lines to look ahead for a tab before a line without one ends the table: after a complete
 * row (a multi-line last cell), and inside a row that still lacks cells (a cell listing
 * "1.直播 2.内容笔记 … 7.AR拍摄功能" one per line).
 */
const LOOKAHEAD = 3;
const LOOKAHEAD_IN_ROW = 12;

const cellsOf = (text: string): string[] => text.split('\t').map((c) => c.trim());
const isRowLine = (text: string): boolean => cellsOf(text).filter((c) => c !== '').length >= 2;

export function findTables(lines: Line[]): FoundTable[] {
  const tables: FoundTable[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!isRowLine(lines[i]!.text)) {
      i++;
      continue;
    }
    const header: TableRow = { first: lines[i]!.no, last: lines[i]!.no, cells: cellsOf(lines[i]!.text) };
    const columns = header.cells.length;
    const rows: TableRow[] = [header];
    let row: TableRow | null = null;
    let end = i;
    let j = i + 1;
    const tabAhead = (from: number, n = LOOKAHEAD) => lines.slice(from, from + n).some((l) => l.text.includes('\t'));
    while (j < lines.length) {
      const line = lines[j]!;
      const parts = cellsOf(line.text);
      const hasTab = line.text.includes('\t');
      if (row && row.cells.length < columns && (hasTab ? row.cells.length + parts.length - 1 <= columns : tabAhead(j + 1, LOOKAHEAD_IN_ROW))) {
        // The row is not complete yet: this line goes on with its last cell.
        row.cells[row.cells.length - 1] += `\n${parts[0] ?? ''}`;
        row.cells.push(...parts.slice(1));
      } else if (hasTab) {
        row = { first: line.no, last: line.no, cells: parts };
        rows.push(row);
      } else if (row && tabAhead(j + 1)) {
        row.cells[row.cells.length - 1] += `\n${line.text}`;
      } else break;
      row!.last = line.no;
      end = j;
      j++;
    }
    if (rows.length >= 2) {
      tables.push({ start: i, end, rows });
      i = end + 1;
    } else i++;
  }
  return tables;
}
