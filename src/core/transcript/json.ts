/** A parsed JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True when a parsed JSON value is an object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
