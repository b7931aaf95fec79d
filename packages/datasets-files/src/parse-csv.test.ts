import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

describe('parseCsv', () => {
  it('should split plain fields and records on LF and CRLF', () => {
    expect(parseCsv('a,b,c\r\n1,2,3\n4,5,6\n')).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', '2', '3'], line: 2 },
      { fields: ['4', '5', '6'], line: 3 },
    ]);
  });

  it('should read quoted fields with delimiters, doubled quotes and line breaks, keeping start lines', () => {
    const text = 'user,prompt\nann,"Say ""hi"", please"\nbob,"two\nlines"\ncat,last\n';
    expect(parseCsv(text)).toEqual([
      { fields: ['user', 'prompt'], line: 1 },
      { fields: ['ann', 'Say "hi", please'], line: 2 },
      { fields: ['bob', 'two\nlines'], line: 3 },
      { fields: ['cat', 'last'], line: 5 },
    ]);
  });

  it('should keep empty fields, skip blank lines and a byte-order mark, and accept a missing final newline', () => {
    expect(parseCsv('\ufeffa,b\n\n,x\n"",\ny,z')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['', 'x'], line: 3 },
      { fields: ['', ''], line: 4 },
      { fields: ['y', 'z'], line: 5 },
    ]);
  });

  it('should use another delimiter when asked', () => {
    expect(parseCsv('a;b\n"1;2";3\n', ';')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1;2', '3'], line: 2 },
    ]);
  });

  it('should report an unclosed quote with the line it opened on', () => {
    let caught: unknown;
    try {
      parseCsv('a,b\n1,"open\nstill open\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CsvSyntaxError);
    expect((caught as CsvSyntaxError).line).toBe(2);
    expect((caught as CsvSyntaxError).message).toMatch(/opened on line 2 is never closed/);
  });

  it('should reject stray quotes with their line', () => {
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/double quote inside an unquoted field/);
    expect(() => parseCsv('a,b\n1,"x"y\n')).toThrow(/after a closing quote, found "y"/);
  });
});
