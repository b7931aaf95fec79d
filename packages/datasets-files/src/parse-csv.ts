/** One CSV record with the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A syntax error in CSV text, with the 1-based line where it was found. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Parses CSV text per RFC 4180: fields separated by `delimiter`, records by LF or CRLF, fields in double
 * quotes may hold delimiters, line breaks and doubled quotes (`""`). Blank lines are skipped and a leading
 * byte-order mark is dropped.
 */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  const length = text.length;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (position < length) {
    const recordLine = line;
    const fields: string[] = [];
    let atRecordEnd = false;
    while (!atRecordEnd) {
      let field = '';
      if (text[position] === '"') {
        const quoteLine = line;
        position += 1;
        for (;;) {
          if (position >= length) throw new CsvSyntaxError(`a quoted field opened on line ${quoteLine} is never closed`, quoteLine);
          const character = text[position]!;
          if (character === '"') {
            if (text[position + 1] === '"') {
              field += '"';
              position += 2;
              continue;
            }
            position += 1;
            break;
          }
          if (character === '\n') line += 1;
          field += character;
          position += 1;
        }
        const next = text[position];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(`expected a delimiter or a line break after a closing quote, found ${JSON.stringify(next)}`, line);
        }
      } else {
        const start = position;
        while (position < length) {
          const character = text[position]!;
          if (character === delimiter || character === '\n' || character === '\r') break;
          if (character === '"') throw new CsvSyntaxError('a double quote inside an unquoted field (quote the whole field and double the quote)', line);
          position += 1;
        }
        field = text.slice(start, position);
      }
      fields.push(field);
      const separator = text[position];
      if (separator === delimiter) {
        position += 1;
      } else {
        if (separator === '\r' && text[position + 1] === '\n') position += 2;
        else if (separator !== undefined) position += 1;
        if (separator !== undefined) line += 1;
        atRecordEnd = true;
      }
    }
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ fields, line: recordLine });
  }
  return records;
}
