import type { z } from 'zod';

/** Renders zod issues as `field.path: expected ..., found ...` lines for PAL error messages. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
