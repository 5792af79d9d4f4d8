/**
 * Server ids of artifact versions this process logged or resolved, by collection and digest, so a
 * later "use" of the exact same version (same digest) becomes a lineage edge to that version
 * without asking the server to deduplicate (which may compare with `latest` only).
 */
export class ArtifactIdCache {
  private readonly ids = new Map<string, string>();

  private static key(baseUrl: string, entity: string, project: string, name: string, digest: string): string {
    return JSON.stringify([baseUrl, entity, project, name, digest]);
  }

  remember(baseUrl: string, entity: string, project: string, name: string, digest: string, id: string): void {
    this.ids.set(ArtifactIdCache.key(baseUrl, entity, project, name, digest), id);
  }

  forget(baseUrl: string, entity: string, project: string, name: string, digest: string): void {
    this.ids.delete(ArtifactIdCache.key(baseUrl, entity, project, name, digest));
  }

  lookup(baseUrl: string, entity: string, project: string, name: string, digest: string): string | undefined {
    return this.ids.get(ArtifactIdCache.key(baseUrl, entity, project, name, digest));
  }
}

/** The process-wide cache used by online runs and sync. */
export const processArtifactIds = new ArtifactIdCache();
