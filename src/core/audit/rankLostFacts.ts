import { artifactKinds, type Artifact, type ArtifactKind } from '../facts/extractArtifacts';

const kindRank = new Map<ArtifactKind, number>(artifactKinds.map((k, i) => [k, i]));

/**
 * The lost facts that matter most first, at most `count` of them: by kind in report order (the active task, error
 * lines and commands before paths, names and numbers), then the newest message first, since later facts are nearer
 * the work in progress.
 */
export function rankLostFacts(lost: readonly Artifact[], count = lost.length): Artifact[] {
	return [...lost]
		.sort(
			(a, b) =>
				(kindRank.get(a.kind) ?? 99) - (kindRank.get(b.kind) ?? 99) || b.messageIndex - a.messageIndex,
		)
		.slice(0, Math.max(0, count));
}
