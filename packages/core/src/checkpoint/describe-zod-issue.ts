import type { z } from 'zod';

/** Names the kind of a JSON value the way error messages print it (`array`, `null`, `number`, ...). */
export function describeJsonKind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Renders one zod issue of a file read from disk as `field "a.b": expected X, found Y`, so a user can
 * open the file and fix the field without reading zod's wording. Parse with `{ reportInput: true }`.
 */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  const field = `field "${issue.path.length > 0 ? issue.path.join('.') : '(root)'}"`;
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return `${field}: expected ${issue.expected}, found ${describeJsonKind(input)}`;
    case 'invalid_value':
      return `${field}: expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, found ${preview(input)}`;
    case 'invalid_format':
      return `${field}: expected ${issue.format === 'regex' ? `a string matching ${issue.pattern}` : `a ${issue.format} string`}, found ${preview(input)}`;
    case 'unrecognized_keys':
      return `${field}: unexpected key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return `${field}: ${issue.message}${input === undefined ? '' : `, found ${preview(input)}`}`;
  }
}

/** All issues of a failed parse, joined with `; `. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map(describeZodIssue).join('; ');
}
