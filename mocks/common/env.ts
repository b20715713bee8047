import type { MocksConfigInput } from './config.js';
import { SETTINGS, convertSetting, withSetting } from './settings-table.js';

/**
 * Reads the settings present in `env` (REDIS_URL, KAFKA_BROKERS, MOCKS_PORT, … — see SETTINGS);
 * unset or empty variables are skipped. Validation is resolveConfig's.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): MocksConfigInput {
  let input: MocksConfigInput = {};
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw === undefined || raw === '') continue;
    input = withSetting(input, s.path, convertSetting(s.kind, raw));
  }
  return input;
}
