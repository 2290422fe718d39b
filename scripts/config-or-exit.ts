// The configuration for a command-line script: on an invalid environment, the problems are printed
// (one per variable, see parseConfig) and the script exits with status 1 instead of a stack trace.
import { ConfigError, parseConfig, type AppConfig } from '#/server/config.ts';

export function configOrExit(): AppConfig {
  try {
    return parseConfig(process.env, process.cwd(), { requireSecrets: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
