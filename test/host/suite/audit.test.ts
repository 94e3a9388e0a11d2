import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { withAgentCompaction } from '../../support/compactedSample';
import { contextLensApi } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

// The bundle runs from .test-output/host/suite: the repository root is three levels up.
const samplePath = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'sample-claude-session.jsonl');

interface CompareRowLike {
	readonly strategy: string;
	readonly ok: boolean;
	readonly tokensAfter: number;
	readonly lostFacts: { readonly count: number };
}

interface CompareViewLike {
	readonly tokensBefore: number;
	readonly rows: readonly CompareRowLike[];
	readonly isCached: boolean;
}

interface AuditLike {
	readonly compactions: readonly {
		readonly trigger: string;
		readonly by: string;
		readonly preTokens?: number;
		readonly canRestore: boolean;
		readonly facts?: { readonly lost: number };
	}[];
	readonly timeline: { readonly points: readonly unknown[]; readonly marks: readonly unknown[] };
}

interface ReviewLike {
	readonly id: string;
	readonly summary?: string;
	readonly lostFacts: readonly { readonly value: string; readonly line?: number }[];
	readonly numbers: { readonly tokensBefore: number; readonly tokensAfter: number };
}

/** Runs a command that shows a pick list, then runs `then` on the list (accept or close) once it is up. */
async function withPick<T>(run: Thenable<T>, then: string): Promise<T> {
	// The list needs the comparison or the audit first; the command is retried until the list takes it.
	let settled = false;
	const done = Promise.resolve(run).finally(() => (settled = true));
	await waitFor(
		'the pick list to take the command',
		async () => {
			if (settled) return true;
			await vscode.commands.executeCommand(then);
			await new Promise((r) => setTimeout(r, 200));
			return settled ? true : undefined;
		},
		20_000,
		100,
	);
	return done;
}

describe('compare strategies and the agent’s compactions, in the extension host', () => {
	let dir: string;
	let plain: string;
	let compacted: string;

	before(async () => {
		await contextLensApi();
		dir = join(workspaceDir(), 'audit');
		mkdirSync(dir, { recursive: true });
		plain = join(dir, 'plain-session.jsonl');
		writeFileSync(plain, new ClaudeSessionWriter().session(40));
		compacted = join(dir, 'compacted-session.jsonl');
		writeFileSync(compacted, withAgentCompaction(readFileSync(samplePath, 'utf8')));
	});

	afterEach(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Compare Strategies plans every strategy with the offline summariser and caches the result', async () => {
		const first = (await vscode.commands.executeCommand('contextLens.compareStrategies', {
			file: plain,
			isQuiet: true,
		})) as CompareViewLike | undefined;
		assert.ok(first, 'the comparison ran');
		assert.equal(first.rows.length, 8);
		assert.equal(first.isCached, false);
		const summarize = first.rows.find((r) => r.strategy === 'summarize');
		assert.ok(summarize?.ok && summarize.tokensAfter < first.tokensBefore);
		const again = (await vscode.commands.executeCommand('contextLens.compareStrategies', {
			file: plain,
			isQuiet: true,
		})) as CompareViewLike;
		assert.equal(again.isCached, true, 'the same transcript and settings come from the cache');
		assert.deepEqual(
			again.rows.map((r) => r.tokensAfter),
			first.rows.map((r) => r.tokensAfter),
		);
		const refocused = (await vscode.commands.executeCommand('contextLens.compareStrategies', {
			file: plain,
			isQuiet: true,
			focus: 'invoice_7',
		})) as CompareViewLike;
		assert.equal(refocused.isCached, false, 'another focus is another comparison');
	});

	it('picking a row in the palette list opens that strategy’s review, writing nothing', async () => {
		const api = await contextLensApi();
		const before = api.pendingReviewIds().length;
		await withPick(
			vscode.commands.executeCommand('contextLens.compareStrategies', { file: plain }),
			'workbench.action.acceptSelectedQuickOpenItem',
		);
		await waitFor('a pending review', () => (api.pendingReviewIds().length > before ? true : undefined));
		assert.deepEqual(readdirSync(dir).sort(), ['compacted-session.jsonl', 'plain-session.jsonl']);
		for (const id of api.pendingReviewIds())
			await vscode.commands.executeCommand('contextLens.discardCompaction', id);
	});

	it('Show Agent Compactions lists the automatic compaction with its lost facts', async () => {
		const audit = (await withPick(
			vscode.commands.executeCommand('contextLens.showAgentCompactions', { file: compacted }),
			'workbench.action.closeQuickOpen',
		)) as AuditLike | undefined;
		assert.ok(audit, 'closing the list returns the audit');
		assert.equal(audit.compactions.length, 1);
		const [compaction] = audit.compactions;
		assert.equal(compaction?.trigger, 'auto');
		assert.equal(compaction?.by, 'agent');
		assert.ok((compaction?.preTokens ?? 0) > 0);
		assert.ok((compaction?.facts?.lost ?? 0) > 0);
		assert.equal(compaction?.canRestore, true);
		assert.equal(audit.timeline.marks.length, 1);
		assert.ok(audit.timeline.points.length > 0);
	});

	it('restoring a compaction opens a review of the agent’s summary; Apply writes a new session', async () => {
		const api = await contextLensApi();
		const original = readFileSync(compacted);
		const review = (await vscode.commands.executeCommand('contextLens.showAgentCompactions', {
			file: compacted,
			compaction: 0,
		})) as ReviewLike | undefined;
		assert.ok(review, 'the restore review opened');
		assert.ok(api.pendingReviewIds().includes(review.id));
		assert.match(review.summary ?? '', /BILL-412/, 'the review starts from the agent’s summary');
		assert.ok(review.lostFacts.length > 0 && review.lostFacts.every((f) => (f.line ?? 0) > 0));
		assert.ok(review.numbers.tokensAfter > 0);
		await waitFor('the review page', () => api.reviewPageMessage(review.id));
		const written = (await vscode.commands.executeCommand('contextLens.applyCompaction', review.id)) as
			string | undefined;
		assert.ok(written, 'apply wrote a file');
		assert.deepEqual(readFileSync(compacted), original, 'the original is untouched');
		const probe = await api.probe(written);
		assert.ok(probe.ok, probe.message);
		assert.equal(probe.summaryMessages, 1, 'the written session opens with the summary');
	});

	it('a session never compacted has no compactions to show', async () => {
		const audit = (await vscode.commands.executeCommand('contextLens.showAgentCompactions', {
			file: plain,
		})) as AuditLike | undefined;
		assert.ok(audit);
		assert.equal(audit.compactions.length, 0);
	});
});
