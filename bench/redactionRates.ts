// `node --import tsx bench/redactionRates.ts`: how well redaction finds secrets and leaves the rest alone. Prints the
// detection rate (planted secrets fully removed, and named by the right kind) for the tuned corpus and for a held-out
// set written after the rules, the false-positive rate on harmless look-alikes, and what it redacts in the real
// transcripts of ../shared/corpus when present (they hold no known secret, so every finding there is a suspect).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redactionMarker, redactSecrets, redactTexts } from '../src/core/redaction/redactSecrets';
import { messagesInWindow } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { harmlessLines, secretSamples } from '../test/core/summarize/redactionSamples';
import { harmlessCorpus, heldOutCorpus, secretCorpus } from '../test/core/summarize/secretCorpus';
import { corpusRoot } from '../test/support/corpus';

interface Planted {
	readonly text: string;
	readonly secrets: readonly string[];
	readonly kind: string;
}

interface DetectionRate {
	readonly cases: number;
	readonly removed: number;
	readonly named: number;
}

async function detection(cases: readonly Planted[]): Promise<DetectionRate> {
	let removed = 0;
	let named = 0;
	for (const c of cases) {
		const { text } = await redactSecrets(c.text);
		if (c.secrets.every((s) => !text.includes(s))) {
			removed++;
			if (text.includes(redactionMarker(c.kind))) named++;
		}
	}
	return { cases: cases.length, removed, named };
}

function transcriptFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return transcriptFiles(path);
		return name.endsWith('.md') ? [] : [path];
	});
}

/** Redactions in the texts a summariser would read from every real transcript: kinds and counts. */
async function realCorpusFindings(): Promise<{
	files: number;
	chars: number;
	findings: Map<string, number>;
}> {
	const findings = new Map<string, number>();
	let files = 0;
	let chars = 0;
	for (const file of transcriptFiles(corpusRoot)) {
		const read = parseTranscript(readFileSync(file), file);
		if (!read.ok) continue;
		files++;
		const texts = messagesInWindow(read.transcript).flatMap((m) =>
			m.parts.flatMap((p) =>
				p.kind === 'toolCall'
					? [p.argumentsText]
					: p.kind === 'text' || p.kind === 'toolResult'
						? [p.text]
						: [],
			),
		);
		for (const t of texts) chars += t.length;
		for (const f of (await redactTexts(texts)).findings)
			findings.set(f.kind, (findings.get(f.kind) ?? 0) + f.count);
	}
	return { files, chars, findings };
}

const percent = (part: number, whole: number): string =>
	whole === 0 ? 'n/a' : `${((part / whole) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
	const tuned: Planted[] = [
		...secretCorpus.map((c) => ({ text: c.text, secrets: c.secrets, kind: c.kind })),
		...secretSamples.map((s) => ({ text: s.text, secrets: [s.secret], kind: s.kind })),
	];
	const heldOut = heldOutCorpus.map((c) => ({ text: c.text, secrets: c.secrets, kind: c.kind }));
	const hard = secretCorpus.filter((c) => c.isHard === true).map((c) => ({ ...c, kind: c.kind }));
	const lines: string[] = ['Redaction rates', ''];
	for (const [name, cases] of [
		['tuned corpus', tuned],
		['  of which the 14 hard cases', hard],
		['held-out phrasings', heldOut],
	] as const) {
		const rate = await detection(cases);
		lines.push(
			`${name}: ${rate.removed}/${rate.cases} secrets removed (${percent(rate.removed, rate.cases)}), ` +
				`${rate.named}/${rate.cases} named by the right kind`,
		);
	}
	const harmless = [...harmlessCorpus.map((h) => h.text), ...harmlessLines];
	let changed = 0;
	for (const text of harmless) if ((await redactSecrets(text)).text !== text) changed++;
	lines.push(
		`false positives: ${changed}/${harmless.length} harmless texts changed (${percent(changed, harmless.length)})`,
	);
	const real = await realCorpusFindings();
	if (real.files > 0) {
		const kinds = [...real.findings.entries()].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
		lines.push(
			`real transcripts: ${real.files} files, ${(real.chars / 1e6).toFixed(1)} M characters of message text, redactions: ${kinds}`,
		);
	}
	process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
