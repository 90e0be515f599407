// A strict RFC 4180 reader for seed files: quoted fields, doubled quotes, CRLF or LF (or CR).
// What RFC 4180 does not allow is refused with its line and column rather than read some way: a
// quoted field that is never closed (which would swallow the rest of the file), text after a
// field's closing quote, a quote inside an unquoted field.

/** One record of a CSV file: its fields, where it starts, and where each field starts. */
export interface CsvRecord {
  fields: string[];
  /** The line (1-based) the record starts on; a quoted field can hold line breaks. */
  line: number;
  /** Each field's line and column (1-based), parallel to `fields`. */
  starts: { line: number; column: number }[];
  /** Where the record ends: the line and column just after its last character. */
  end: { line: number; column: number };
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The records before the one in error: they were read. */
    readonly before: CsvRecord[] = [],
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * The records of a CSV text. A line with nothing on it (not even `""`) is no record: blank lines,
 * and the line break at the end of the file, are skipped.
 */
export function readCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let lineStart = 0; // index of the current line's first character
  const col = (i: number) => i - lineStart + 1;
  let fields: string[] = [];
  let starts: { line: number; column: number }[] = [];
  let field = '';
  let wasQuoted = false; // a field of the record was quoted (a line of `""` is a value, not a blank line)
  let fieldStart = { line: 1, column: 1 };
  let atFieldStart = true;
  const endField = () => {
    fields.push(field);
    starts.push(fieldStart);
    field = '';
    atFieldStart = true;
  };
  const endRecord = (i: number) => {
    const end = { line, column: col(i) };
    if (atFieldStart) fieldStart = end; // an empty last field, at the end of the file
    endField();
    const blank = fields.length === 1 && fields[0] === '' && !wasQuoted;
    if (!blank) records.push({ fields, line: starts[0]!.line, starts, end });
    fields = [];
    starts = [];
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (atFieldStart) {
      fieldStart = { line, column: col(i) };
      atFieldStart = false;
      if (c === '"') {
        wasQuoted = true;
        const open = { line, column: col(i) };
        // the quoted field, to its closing quote
        let closed = false;
        for (i++; i < text.length; i++) {
          const q = text[i]!;
          if (q === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i++;
            } else {
              closed = true;
              break;
            }
          } else {
            field += q;
            if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) {
              line++;
              lineStart = i + 1;
            }
          }
        }
        if (!closed) throw new CsvSyntaxError('this quoted field is never closed: a quote (") is missing, and the rest of the file would be read into this field', open.line, open.column, records);
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError('text after the closing quote of a quoted field (a quote inside a quoted field is written twice: "")', line, col(i + 1), records);
        }
        continue;
      }
    }
    if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      endRecord(i);
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      lineStart = i + 1;
    } else if (c === '"') {
      throw new CsvSyntaxError('a quote (") inside a field that does not start with one: quote the whole field and write the quote twice ("5"" screen")', line, col(i), records);
    } else field += c;
  }
  if (!atFieldStart || fields.length > 0) endRecord(text.length);
  return records;
}
