import type { z } from 'zod';
import { InvalidArgumentError } from '../errors/errors.js';
import { formatZodIssues } from '../errors/format-zod-error.js';

/** Validates user input at an API edge, throwing an InvalidArgumentError that names each bad field. */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${what}: ${formatZodIssues(result.error)}`, { cause: result.error });
  }
  return result.data;
}
