import { PalError } from './pal-error.js';

/** An option, setting or argument does not satisfy its schema. */
export class InvalidArgumentError extends PalError {
  static override readonly errorName = 'InvalidArgumentError';
}

/** A preference row or an embedding matrix is malformed (bad label, NaN, wrong shape, empty). */
export class InvalidPreferenceDataError extends PalError {
  static override readonly errorName = 'InvalidPreferenceDataError';
}

/** Two things that must agree in size do not (embedding width vs. model definition, weights vs. layout). */
export class DimensionMismatchError extends PalError {
  static override readonly errorName = 'DimensionMismatchError';
}

/** A user id was asked for that the model was neither trained on nor localised to. */
export class UnknownUserError extends PalError {
  static override readonly errorName = 'UnknownUserError';
}

/** A checkpoint is missing, truncated, tampered with, or of an unknown format version. */
export class InvalidCheckpointError extends PalError {
  static override readonly errorName = 'InvalidCheckpointError';
}

/** Training or localisation was stopped through its AbortSignal. */
export class TrainingAbortedError extends PalError {
  static override readonly errorName = 'TrainingAbortedError';
}

/** A plugin (backend engine, execution provider, encoder model) cannot be loaded on this machine. */
export class PluginUnavailableError extends PalError {
  static override readonly errorName = 'PluginUnavailableError';
}

/** Training produced a non-finite loss or weights (diverged). */
export class NumericalError extends PalError {
  static override readonly errorName = 'NumericalError';
}
