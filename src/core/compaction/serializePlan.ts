import type { CompactionPlan } from './plan';
import { isStrategyName } from './strategies';
import { isJsonObject as isObject } from '../transcript/json';

/** H2: a plan as JSON text, so a pending review survives a reload. */
export function serializePlan(plan: CompactionPlan): string {
	return JSON.stringify(plan);
}

/** Outcome of reading a stored plan. */
export type ParsedPlan =
	{ readonly ok: true; readonly plan: CompactionPlan } | { readonly ok: false; readonly message: string };

function isIndexList(value: unknown, length: number): boolean {
	return Array.isArray(value) && value.every((v) => Number.isInteger(v) && v >= 0 && v <= length);
}

function problemOf(value: unknown): string | undefined {
	if (!isObject(value)) return 'it is not a JSON object';
	if (value['version'] !== 1) return `its version is ${JSON.stringify(value['version'])}, expected 1`;
	if (typeof value['id'] !== 'string') return 'it has no id';
	if (typeof value['strategy'] !== 'string' || !isStrategyName(value['strategy']))
		return 'its strategy is unknown';
	const ids = value['messageIds'];
	if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
		return 'its messageIds are not strings';
	const n = ids.length;
	const tokens = value['messageTokens'];
	if (!Array.isArray(tokens) || tokens.length !== n || !tokens.every((t) => typeof t === 'number')) {
		return 'its messageTokens do not match its messages';
	}
	const fates = value['fates'];
	if (
		!Array.isArray(fates) ||
		fates.length !== n ||
		!fates.every((f) => f === 'kept' || f === 'summarized' || f === 'dropped')
	) {
		return 'its fates do not match its messages';
	}
	const regions = value['regions'];
	if (!isObject(regions) || !['head', 'middle', 'tail'].every((r) => isObject(regions[r])))
		return 'it has no regions';
	const layout = value['layout'];
	if (!Array.isArray(layout) || !layout.every((s) => isObject(s) && typeof s['kind'] === 'string')) {
		return 'its layout is malformed';
	}
	if (
		!isIndexList(
			layout.filter((s) => s.kind === 'message').map((s) => s.message),
			n - 1,
		)
	) {
		return 'its layout points outside its messages';
	}
	const edits = value['edits'];
	if (
		!Array.isArray(edits) ||
		!edits.every((e) => isObject(e) && Number.isInteger(e['message']) && Number.isInteger(e['part']))
	) {
		return 'its edits are malformed';
	}
	if (
		!isIndexList(
			edits.map((e: Record<string, unknown>) => e['message']),
			n - 1,
		)
	)
		return 'its edits point outside its messages';
	if (!Array.isArray(value['summaryInput']) || !Array.isArray(value['interruptedCalls']))
		return 'it lacks summary input or repairs';
	if (!isObject(value['options']) || !isObject(value['preflight']) || !isObject(value['source'])) {
		return 'it lacks options, preflight or source';
	}
	return undefined;
}

/** H2: reads a plan written by `serializePlan`; a damaged or foreign text is a failure naming what is wrong. */
export function parsePlan(text: string): ParsedPlan {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {
			ok: false,
			message: `The stored compaction plan is not valid JSON (${(error as Error).message}); plan again.`,
		};
	}
	const problem = problemOf(value);
	if (problem !== undefined)
		return { ok: false, message: `The stored compaction plan cannot be used: ${problem}; plan again.` };
	return { ok: true, plan: value as CompactionPlan };
}
