import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, InvalidPreferenceDataError } from '@pal/core';
import { z } from 'zod';
import type { PersonaName } from './persona-names.js';

/** One statement of a persona file, with where it came from. */
export interface PersonaStatement {
  persona: PersonaName;
  /** 1-based line number in the persona's file. */
  line: number;
  /** The file's `question` text, used as the comparison's prompt. */
  question: string;
  statement: string;
  /** True when `answer_matching_behavior` is " Yes": someone with this persona would say the statement. */
  personaSaysYes: boolean;
}

const personaLineSchema = z.object({
  question: z.string().min(1),
  statement: z.string().min(1),
  answer_matching_behavior: z.enum([' Yes', ' No']),
});

const expectedByField: Record<string, string> = {
  question: 'a non-empty string',
  statement: 'a non-empty string',
  answer_matching_behavior: '" Yes" or " No"',
};

/** Where the persona files are read from: the given folder, or the copy shipped in this package's `data/`. */
export function personaFilePath(persona: PersonaName, dataDirectory: string | undefined): string {
  if (dataDirectory !== undefined) return join(dataDirectory, `${persona}.jsonl`);
  // Resolved relative to this module: src/ in tests, dist/ once built; both sit next to data/.
  return fileURLToPath(new URL(`../data/${persona}.jsonl`, import.meta.url));
}

function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads and validates one persona file; errors name the file, the 1-based line and the field. */
export async function readPersonaFile(persona: PersonaName, dataDirectory: string | undefined): Promise<PersonaStatement[]> {
  const path = personaFilePath(persona, dataDirectory);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`cannot read the persona file ${path} for persona ${persona}`, { cause: error, source: 'datasets-personas' });
  }
  const statements: PersonaStatement[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw.trim() === '') continue;
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new InvalidPreferenceDataError(`${path} line ${line}: expected a JSON object, found ${describeFound(raw)}`, {
        cause: error,
        source: 'datasets-personas',
      });
    }
    const result = personaLineSchema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = String(issue.path[0] ?? '(row)');
      const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : value;
      throw new InvalidPreferenceDataError(
        `${path} line ${line}, field "${field}": expected ${expectedByField[field] ?? 'a JSON object'}, found ${describeFound(found)}`,
        { cause: result.error, source: 'datasets-personas' },
      );
    }
    statements.push({
      persona,
      line,
      question: result.data.question,
      statement: result.data.statement,
      personaSaysYes: result.data.answer_matching_behavior === ' Yes',
    });
  }
  if (statements.length === 0) {
    throw new InvalidPreferenceDataError(`${path}: expected persona statements, found an empty file`, { source: 'datasets-personas' });
  }
  return statements;
}
