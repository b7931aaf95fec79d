import { describe, expect, it } from 'vitest';
import { PalError } from './pal-error.js';
import * as errors from './errors.js';

const errorClasses = (Object.values(errors) as unknown[]).filter((value): value is typeof PalError => typeof value === 'function' && value.prototype instanceof PalError);

describe('PalError', () => {
  it('should have a distinct marker per class so isInstance rejects siblings', () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(8);
    for (const ErrorClass of errorClasses) {
      const error = new ErrorClass('boom');
      expect(ErrorClass.isInstance(error), ErrorClass.errorName).toBe(true);
      expect(PalError.isInstance(error)).toBe(true);
      expect(error.name).toBe(ErrorClass.errorName);
      for (const Sibling of errorClasses) {
        if (Sibling !== ErrorClass) expect(Sibling.isInstance(error), `${Sibling.errorName}.isInstance(${ErrorClass.errorName})`).toBe(false);
      }
    }
  });

  it('should recognise errors from another copy of the package by their Symbol.for marker', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('pal.error.UnknownUserError'), { value: true });
    expect(errors.UnknownUserError.isInstance(foreign)).toBe(true);
    expect(errors.InvalidArgumentError.isInstance(foreign)).toBe(false);
    expect(PalError.isInstance(new Error('plain'))).toBe(false);
    expect(PalError.isInstance(undefined)).toBe(false);
  });

  it('should prefix messages with [pal] and the source, and keep the cause', () => {
    const cause = new Error('disk full');
    const error = new errors.InvalidCheckpointError('cannot write', { source: 'runs/a', cause });
    expect(error.message).toBe('[pal] [runs/a] cannot write');
    expect(error.cause).toBe(cause);
  });
});
