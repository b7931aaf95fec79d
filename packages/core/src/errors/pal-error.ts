const palErrorMarker = Symbol.for('pal.error');

/** Options every PAL error accepts; `cause` chains the underlying error instead of concatenating messages. */
export interface PalErrorOptions {
  cause?: unknown;
  /** Where the problem is, e.g. `packages/datasets-tldr` or a file path; printed as `[pal] [source] ...`. */
  source?: string;
}

/**
 * Base class of every error the SDK throws on purpose. Checks go through `isInstance`, which uses a
 * `Symbol.for` marker so they still work when two copies of a package are installed side by side.
 */
export class PalError extends Error {
  private readonly [palErrorMarker] = true;
  readonly source: string | undefined;

  constructor(message: string, options: PalErrorOptions = {}) {
    super(options.source ? `[pal] [${options.source}] ${message}` : `[pal] ${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.source = options.source;
  }

  static isInstance(error: unknown): error is PalError {
    return hasMarker(error, palErrorMarker);
  }
}

/** True when `error` is an object carrying the given `Symbol.for` marker. */
export function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && marker in error && (error as Record<symbol, unknown>)[marker] === true;
}

/**
 * Declares a PalError subclass with its own marker. Every subclass shares this shape, so it is written
 * once here rather than copied per error.
 */
export function definePalError(name: string) {
  const marker = Symbol.for(`pal.error.${name}`);
  class DefinedPalError extends PalError {
    constructor(message: string, options?: PalErrorOptions) {
      super(message, options);
      Object.defineProperty(this, marker, { value: true });
      this.name = name;
    }
    static override isInstance(error: unknown): error is DefinedPalError {
      return hasMarker(error, marker);
    }
  }
  Object.defineProperty(DefinedPalError, 'name', { value: name });
  return DefinedPalError;
}
