import { definePalError } from './pal-error.js';

/** An option, setting or argument does not satisfy its schema. */
export const InvalidArgumentError = definePalError('InvalidArgumentError');
export type InvalidArgumentError = InstanceType<typeof InvalidArgumentError>;

/** A preference row or an embedding matrix is malformed (bad label, NaN, wrong shape, empty). */
export const InvalidPreferenceDataError = definePalError('InvalidPreferenceDataError');
export type InvalidPreferenceDataError = InstanceType<typeof InvalidPreferenceDataError>;

/** Two things that must agree in size do not (embedding width vs. model definition, weights vs. layout). */
export const DimensionMismatchError = definePalError('DimensionMismatchError');
export type DimensionMismatchError = InstanceType<typeof DimensionMismatchError>;

/** A user id was asked for that the model was neither trained on nor localised to. */
export const UnknownUserError = definePalError('UnknownUserError');
export type UnknownUserError = InstanceType<typeof UnknownUserError>;

/** A checkpoint is missing, truncated, tampered with, or of an unknown format version. */
export const InvalidCheckpointError = definePalError('InvalidCheckpointError');
export type InvalidCheckpointError = InstanceType<typeof InvalidCheckpointError>;

/** Training or localisation was stopped through its AbortSignal. */
export const TrainingAbortedError = definePalError('TrainingAbortedError');
export type TrainingAbortedError = InstanceType<typeof TrainingAbortedError>;

/** A plugin (backend engine, execution provider, encoder model) cannot be loaded on this machine. */
export const PluginUnavailableError = definePalError('PluginUnavailableError');
export type PluginUnavailableError = InstanceType<typeof PluginUnavailableError>;

/** Training produced a non-finite loss or weights (diverged). */
export const NumericalError = definePalError('NumericalError');
export type NumericalError = InstanceType<typeof NumericalError>;
