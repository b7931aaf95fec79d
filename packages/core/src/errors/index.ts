export { PalError, type PalErrorOptions } from './pal-error.js';
export * from './errors.js';
export { formatZodIssues } from './format-zod-error.js';
