/** Options every PAL error accepts; `cause` chains the underlying error instead of concatenating messages. */
export interface PalErrorOptions {
  cause?: unknown;
  /** Where the problem is, e.g. `datasets-tldr` or a file path; printed as `[pal] [source] ...`. */
  source?: string;
}

function markerOf(errorName: string): symbol {
  return Symbol.for(`pal.error.${errorName}`);
}

/**
 * Base class of every error the SDK throws on purpose. Each class in the chain stamps its own
 * `Symbol.for` marker on the instance, and `isInstance` checks the marker of the class it is called on,
 * so checks still work when two copies of a package are installed side by side.
 */
export class PalError extends Error {
  /** Stable name used for the marker; subclasses set their own (class names do not survive minifiers). */
  static readonly errorName: string = 'PalError';
  readonly source: string | undefined;

  constructor(message: string, options: PalErrorOptions = {}) {
    super(options.source ? `[pal] [${options.source}] ${message}` : `[pal] ${message}`, { cause: options.cause });
    this.source = options.source;
    let constructor = new.target as typeof PalError | undefined;
    this.name = new.target.errorName;
    while (constructor && Object.prototype.hasOwnProperty.call(constructor, 'errorName')) {
      Object.defineProperty(this, markerOf(constructor.errorName), { value: true });
      constructor = Object.getPrototypeOf(constructor) as typeof PalError | undefined;
    }
  }

  /** True when `error` is an instance of this class (or a subclass), even from another copy of the package. */
  static isInstance<T extends typeof PalError>(this: T, error: unknown): error is InstanceType<T> {
    const marker = markerOf(this.errorName);
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
