import { parseOptions, type DatasetAdapterV1, type DatasetLoadOptionsV1, type DatasetV1 } from '@pal/core';
import { generatePersonaExamples } from './generate-persona-examples.js';
import { readPersonaFile, type PersonaStatement } from './persona-file.js';
import { personasForGroupCount, type PersonaName } from './persona-names.js';
import { personasDatasetSettingsSchema, type PersonasDatasetSettings } from './personas-settings.js';

const citation =
  'Perez et al. 2022, "Discovering Language Model Behaviors with Model-Written Evaluations" (arXiv:2212.09251); ' +
  'dataset construction from the PAL paper, appendix D.4 and Table 7.';

/**
 * The semi-synthetic Personas dataset of the PAL paper (appendix D.4): K* groups with one Anthropic persona
 * each; every query asks a user whether they would say a statement, with "Yes" and "No" as the two items.
 */
export function createPersonasDataset(settings: PersonasDatasetSettings = {}): DatasetAdapterV1 {
  const resolved = parseOptions(personasDatasetSettingsSchema, settings, 'Personas dataset settings');
  const personas: PersonaName[] = resolved.personas ?? personasForGroupCount(resolved.numGroups ?? 4);

  return {
    specificationVersion: 'v1',
    name: 'personas',
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      const statementsByPersona = new Map<PersonaName, PersonaStatement[]>();
      for (const persona of personas) {
        statementsByPersona.set(persona, await readPersonaFile(persona, resolved.dataDirectory));
        options.onProgress?.({ stage: 'read persona files', done: statementsByPersona.size, total: personas.length });
      }
      const examples = generatePersonaExamples({ ...resolved, personas }, statementsByPersona, (done, total) => {
        options.signal?.throwIfAborted();
        options.onProgress?.({ stage: 'generate users', done, total });
      });
      return {
        info: {
          name: `personas-k${personas.length}`,
          description:
            `Semi-synthetic Personas preferences (PAL appendix D.4): ${personas.length} groups (${personas.join(', ')}), ` +
            `${resolved.usersPerGroup} seen users x ${resolved.queriesPerUser} queries and ${resolved.unseenUsersPerGroup} unseen users x ` +
            `${resolved.queriesPerUnseenUser} queries per group, seed ${resolved.seed}. A user answers "Yes" exactly to the statements ` +
            'their persona agrees with.',
          license: 'CC-BY-4.0',
          citation,
          groups: [...personas],
        },
        examples,
      };
    },
  };
}
