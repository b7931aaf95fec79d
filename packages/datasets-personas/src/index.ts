export { createPersonasDataset } from './personas-dataset.js';
export { personasDatasetSettingsSchema, type PersonasDatasetSettings, type ResolvedPersonasDatasetSettings } from './personas-settings.js';
export { personaNames, personasForGroupCount, type PersonaName } from './persona-names.js';
export { noAnswer, yesAnswer } from './generate-persona-examples.js';
