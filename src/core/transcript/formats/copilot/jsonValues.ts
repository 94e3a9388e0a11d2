import { isJsonObject as isRecord, type JsonObject } from '../../json';
import type { LineRange, Message, MessageFlags, Part, RecordedUsage, Role } from '../../model';

export { isRecord, type JsonObject };

/** The field as a string, or undefined when it is absent or not a string. */
export function stringField(value: unknown, key: string): string | undefined {
	if (!isRecord(value)) return undefined;
	const field = value[key];
	return typeof field === 'string' ? field : undefined;
}

/** The field as a finite number, or undefined. */
export function numberField(value: unknown, key: string): number | undefined {
	if (!isRecord(value)) return undefined;
	const field = value[key];
	return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

/** The field as an array, or undefined. */
export function arrayField(value: unknown, key: string): readonly unknown[] | undefined {
	if (!isRecord(value)) return undefined;
	const field = value[key];
	return Array.isArray(field) ? field : undefined;
}

/** The field as an object, or undefined. */
export function recordField(value: unknown, key: string): JsonObject | undefined {
	if (!isRecord(value)) return undefined;
	const field = value[key];
	return isRecord(field) ? field : undefined;
}

const maxEpochMs = 8.64e15;

/** ISO time for a Unix time in milliseconds, or undefined when it is not a representable date. */
export function epochMsToIso(value: unknown): string | undefined {
	if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > maxEpochMs) return undefined;
	return new Date(value).toISOString();
}

/** Fields of a message under construction; optional ones are left out when undefined. */
export interface MessageFields {
	readonly id: string;
	readonly role: Role;
	readonly parts: readonly Part[];
	readonly flags: MessageFlags;
	readonly lines: LineRange;
	readonly raw: readonly unknown[];
	readonly timestamp?: string | undefined;
	readonly model?: string | undefined;
	readonly usage?: RecordedUsage | undefined;
}

/** Builds a Message, dropping optional fields that are undefined (exactOptionalPropertyTypes). */
export function makeMessage(fields: MessageFields): Message {
	const { timestamp, model, usage, ...required } = fields;
	return {
		...required,
		...(timestamp !== undefined ? { timestamp } : {}),
		...(model !== undefined ? { model } : {}),
		...(usage !== undefined ? { usage } : {}),
	};
}
