/** Section titles of the R8 structured handoff, in the order they are written. */
export const handoffSectionTitles = Object.freeze([
	'Active Task',
	'Goal',
	'Constraints & Preferences',
	'Completed Actions',
	'Active State',
	'In Progress',
	'Blocked',
	'Findings',
	'Key Decisions',
	'Resolved Questions',
	'Pending User Asks',
	'Relevant Files',
	'Remaining Work',
	'Critical Context',
] as const);

/** One R8 section title. */
export type HandoffSectionTitle = (typeof handoffSectionTitles)[number];

/** A handoff read back into sections: list items per known section, plus what did not fit the template. */
export interface ParsedHandoff {
	/** Items of each known section, bullets and numbers kept as written; Active Task and Goal hold one item each. */
	readonly sections: ReadonlyMap<HandoffSectionTitle, readonly string[]>;
	/** Sections with titles outside the template, as `Title: text` items. */
	readonly extra: readonly string[];
	/** Text before the first heading that is not a known compaction prefix (a prose summary has only this). */
	readonly preamble: string;
}

const knownTitles = new Map<string, HandoffSectionTitle>(
	handoffSectionTitles.map((t) => [t.toLowerCase(), t]),
);
// Other names summarisers use for the same sections (hermes' older "Next Steps", "Files", …).
const aliases = new Map<string, HandoffSectionTitle>([
	['task', 'Active Task'],
	['current task', 'Active Task'],
	['constraints', 'Constraints & Preferences'],
	['preferences', 'Constraints & Preferences'],
	['progress', 'Completed Actions'],
	['done', 'Completed Actions'],
	['completed', 'Completed Actions'],
	['decisions', 'Key Decisions'],
	['files', 'Relevant Files'],
	['next steps', 'Remaining Work'],
	['remaining', 'Remaining Work'],
	['blockers', 'Blocked'],
	['errors', 'Blocked'],
	['conclusions', 'Findings'],
]);

const wholeTextSections = new Set<HandoffSectionTitle>(['Active Task', 'Goal']);

function splitItems(lines: readonly string[]): string[] {
	const items: string[] = [];
	for (const line of lines) {
		if (line.trim() === '') continue;
		const startsItem = /^(?:[-*] |\d+[.)] )/.test(line);
		const last = items.length - 1;
		if (!startsItem && last >= 0 && /^\s+/.test(line)) items[last] = `${items[last]}\n${line}`;
		else items.push(line.trimEnd());
	}
	return items;
}

/** Reads a handoff summary (ours or another summariser's markdown) back into sections; never throws. */
export function parseHandoff(text: string): ParsedHandoff {
	const sections = new Map<HandoffSectionTitle, string[]>();
	const extra: string[] = [];
	const preamble: string[] = [];
	let current: { title: HandoffSectionTitle | string; lines: string[] } | undefined;
	const flush = (): void => {
		if (current === undefined) return;
		const known =
			typeof current.title === 'string' ? knownTitles.get(current.title.toLowerCase()) : undefined;
		const title = known ?? aliases.get(current.title.toLowerCase());
		if (title === undefined) {
			const body = current.lines.join('\n').trim();
			if (body !== '') extra.push(`${current.title}: ${body}`);
		} else if (wholeTextSections.has(title)) {
			const body = current.lines.join('\n').trim();
			if (body !== '') sections.set(title, [...(sections.get(title) ?? []), body]);
		} else sections.set(title, [...(sections.get(title) ?? []), ...splitItems(current.lines)]);
	};
	for (const line of text.split('\n')) {
		const heading = /^#{1,3}\s+(.+?)\s*#*\s*$/.exec(line);
		if (heading !== null) {
			flush();
			current = { title: (heading[1] ?? '').replace(/[*_]/g, '').trim(), lines: [] };
		} else if (current === undefined) preamble.push(line);
		else current.lines.push(line);
	}
	flush();
	let lead = preamble.join('\n').trim();
	// Compaction prefixes (ours, hermes' R11 marker, Claude Code's wrapper) carry no facts.
	if (/^\[(?:CONTEXT (?:COMPACTION|SUMMARY)|Earlier)[^\]]*\]/.test(lead) && sections.size > 0) lead = '';
	return { sections, extra, preamble: lead };
}
