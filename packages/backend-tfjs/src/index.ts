export { createTfjsBackend, type TfjsBackend } from './tfjs-backend.js';
export { tfjsBackendSettingsSchema, type TfjsBackendSettings } from './tfjs-backend-settings.js';
export { tfjsEngineNames, type TfjsEngineName, type TfjsModule } from './engine/tfjs-module.js';
export { ModelDisposedError } from './model/model-disposed-error.js';
