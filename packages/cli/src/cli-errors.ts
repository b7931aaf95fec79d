import { PalError } from '@pal/core';

/** The command line was wrong: unknown command or option, bad flag value, invalid config file (exit code 2). */
export class UsageError extends PalError {
  static override readonly errorName = 'UsageError';
}

/** Exit code for a successful run. */
export const EXIT_OK = 0;
/** Exit code when the work itself failed (bad data, a plugin that cannot load, a diverged run). */
export const EXIT_RUNTIME_ERROR = 1;
/** Exit code for usage errors: unknown command or option, invalid flag value or config field. */
export const EXIT_USAGE_ERROR = 2;
