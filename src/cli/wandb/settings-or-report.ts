/** Resolves W&B settings for a CLI command, printing a settings problem instead of a stack trace. */
import { InvalidApiKeyError } from "../../wandb/settings/api-key.js";
import { NetrcFileError, NetrcSyntaxError } from "../../wandb/settings/netrc.js";
import { InvalidSettingError, resolveSettings, type Settings, type SettingsInput } from "../../wandb/settings/settings.js";

/** The settings, or undefined after printing why they cannot be resolved (a bad key, setting or .netrc). */
export async function settingsOrReport(command: string, input: SettingsInput): Promise<Settings | undefined> {
  try {
    return await resolveSettings(input);
  } catch (error) {
    if (error instanceof InvalidApiKeyError || error instanceof InvalidSettingError || error instanceof NetrcSyntaxError || error instanceof NetrcFileError) {
      console.error(`wbflow ${command}: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}
