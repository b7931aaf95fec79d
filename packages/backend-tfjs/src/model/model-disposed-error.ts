import { PalError } from '@pal/core';

/** A tfjs model was used after `doDispose` released its variables. */
export class ModelDisposedError extends PalError {
  static override readonly errorName = 'ModelDisposedError';
}
