/** A CSV upload that cannot be read as a table at all (as opposed to a bad row). */
export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

export interface CsvTable {
  /** Header names as written (trimmed), in order. */
  headers: string[];
  /** One record per data row: header name (lower-case) → cell text; `line` is the row's line number. */
  rows: { line: number; cells: Record<string, string> }[];
}

/**
 * RFC 4180 CSV with a header row: quoted fields, doubled quotes, CRLF or LF, a BOM, and blank lines
 * skipped. Header names match case-insensitively; unknown ones are the caller's to refuse.
 */
export function parseCsv(text: string, options: { maxRows: number }): CsvTable {
  const records = splitRecords(text, options.maxRows);
  const header = records.shift();
  if (!header || header.fields.every((field) => field.trim() === '')) throw new CsvFormatError('the file is empty: the first line must name the columns');
  const headers = header.fields.map((field) => field.trim());
  const keys = headers.map((name) => name.toLowerCase());
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicate) throw new CsvFormatError(`the column "${duplicate}" appears twice`);
  const rows = records.filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (rows.length > options.maxRows) throw new CsvFormatError(`the file has ${rows.length} rows; at most ${options.maxRows} are accepted per upload`);
  return {
    headers,
    rows: rows.map((record) => {
      if (record.fields.length > keys.length) throw new CsvFormatError(`line ${record.line} has ${record.fields.length} fields, the header ${keys.length}`);
      return { line: record.line, cells: Object.fromEntries(keys.map((key, index) => [key, (record.fields[index] ?? '').trim()])) };
    }),
  };
}

/**
 * The first field of every non-blank record, as RFC 4180 reads it (quotes, CRLF, a BOM): for lists
 * of one thing per line, with or without a header and whatever columns follow.
 */
export function firstColumn(text: string, options: { maxRows: number }): { line: number; value: string }[] {
  const records = splitRecords(text, options.maxRows).filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (records.length > options.maxRows) throw new CsvFormatError(`the file has ${records.length} rows; at most ${options.maxRows} are accepted per upload`);
  return records.map((record) => ({ line: record.line, value: record.fields[0].trim() }));
}

/**
 * The records of the text. Refused: text that was not UTF-8 (decoded, its bytes became U+FFFD:
 * Excel's plain "CSV" is Windows-1252, and `Müller` would be stored as `M�ller`), and more records
 * than the rows allowed could explain (a header and a blank line per row), counted as they are
 * split, so that a body of line breaks never becomes millions of records in memory.
 */
function splitRecords(bomOrText: string, maxRows: number): { line: number; fields: string[] }[] {
  const text = bomOrText.replace(/^\uFEFF/, '');
  const replaced = text.indexOf('\uFFFD');
  if (replaced !== -1) {
    throw new CsvFormatError(
      `line ${text.slice(0, replaced).split('\n').length} is not UTF-8 text: save the file as "CSV UTF-8 (Comma delimited)" (in Excel: File, Save As), or send its character set (text/csv; charset=windows-1252)`,
    );
  }
  const maxRecords = 2 * maxRows + 1;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index++;
        } else quoted = false;
      } else {
        if (character === '\n') line++;
        field += character;
      }
      continue;
    }
    if (character === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      if (records.length > maxRecords) throw new CsvFormatError(`the file has more than ${maxRecords} lines; at most ${maxRows} rows are accepted per upload`);
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += character;
  }
  if (quoted) throw new CsvFormatError(`a quoted field that starts on line ${recordLine} is never closed`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}
