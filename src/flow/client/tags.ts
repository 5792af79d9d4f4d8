/** Rules for user tags on runs, after Metaflow's: non-empty, at most 500 characters, at most 50 per run. */

const MAX_TAG_LENGTH = 500;
const MAX_USER_TAGS = 50;

/** A tag change that breaks the rules. */
export class InvalidTagError extends Error {
  override name = "InvalidTagError";
}

/**
 * The user tags after removing `remove` and adding `add` (keeping order, without duplicates).
 * @throws InvalidTagError for an empty or too long tag, a system tag removed, or too many tags.
 */
export function changedTags(run: string, userTags: string[], systemTags: string[], add: string[], remove: string[]): string[] {
  for (const tag of [...add, ...remove]) {
    if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      throw new InvalidTagError(`Tag ${JSON.stringify(tag)} on ${run} is invalid: tags are non-empty strings of at most ${MAX_TAG_LENGTH} characters.`);
    }
  }
  for (const tag of remove) {
    if (systemTags.includes(tag) && !userTags.includes(tag)) {
      throw new InvalidTagError(`Tag "${tag}" on ${run} is a system tag; system tags cannot be removed.`);
    }
  }
  const kept = userTags.filter((tag) => !remove.includes(tag));
  // Adding a tag the run already has as a system tag changes nothing.
  const added = add.filter((tag) => !systemTags.includes(tag));
  const result = [...new Set([...kept, ...added])];
  if (result.length > MAX_USER_TAGS) {
    throw new InvalidTagError(`${run} would have ${result.length} user tags; at most ${MAX_USER_TAGS} are allowed. Remove some first.`);
  }
  return result;
}
