import type { SummaryFailureReason } from './summarizer';
import type { Message } from '../transcript/model';
import {
	defaultRotationRatio,
	defaultTriggerFloorTokens,
	defaultTriggerRatio,
	triggerTokensFor,
} from './options';

/** R2: a compaction that frees less than this share of the tokens, in percent, counts as ineffective. */
export const ineffectiveSavingsPercent = 10;

/** R2: after this many ineffective compactions in a row, automatic compaction stops. */
export const ineffectiveCompactionLimit = 2;

/** R12: pause before retrying a summariser that is not configured, in milliseconds. */
export const notConfiguredCooldownMs = 600_000;

/** R12: pause before retrying after a transient summariser error, in milliseconds. */
export const transientCooldownMs = 60_000;

/** How a live session's automatic compaction is set up. */
export interface AutoCompactionConfig {
	/** The model's window, in tokens; 0 or less disables automatic compaction (G1). */
	readonly contextWindow: number;
	readonly triggerRatio?: number;
	readonly triggerFloorTokens?: number;
	readonly rotationRatio?: number;
	/** G1: without a summariser a summarising policy passes everything through. */
	readonly hasSummarizer: boolean;
	/** False for the deterministic strategies, which need no summariser. */
	readonly usesSummarizer?: boolean;
}

/** Where the policy is: doing nothing by design (G1), watching the count, or stopped after thrashing (R2). */
export type PolicyState = 'passThrough' | 'watching' | 'suspended';

/** What the policy says to do at a given context size. */
export type PolicyDecision =
	| { readonly action: 'none'; readonly reason: 'passThrough' | 'belowThreshold' | 'suspended' }
	| {
			readonly action: 'compact';
			readonly contextTokens: number;
			readonly triggerTokens: number;
			/** R12: the summariser is cooling down after a failure; compact without it or wait. */
			readonly isSummarizerCoolingDown: boolean;
	  }
	| {
			readonly action: 'rotate';
			readonly contextTokens: number;
			readonly rotationTokens: number;
			/** C4: compaction stopped helping (R2) or the last one left the window above the trigger. */
			readonly reason: 'suspended' | 'compactionNotEnough';
	  };

/** What a compaction changed, as the policy needs it (a `CompactionResult` satisfies it). */
export interface CompactionOutcomeSummary {
	readonly success: boolean;
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	readonly tokensBefore: number;
	readonly tokensAfter: number;
}

/** Typed events the policy emits; adapters log them and show at most one notification each. */
export type PolicyEvent =
	| {
			/** G5/R15: a compaction fired. */
			readonly type: 'compactionFired';
			readonly count: number;
			readonly messagesBefore: number;
			readonly messagesAfter: number;
			readonly tokensBefore: number;
			readonly tokensAfter: number;
			readonly savingsPercent: number;
	  }
	| {
			/** R2: automatic compaction stopped; `message` tells the person why and what to do. */
			readonly type: 'autoCompactionSuspended';
			readonly consecutiveIneffective: number;
			readonly message: string;
	  }
	| {
			/** C4: the session was rotated to a fresh one. */
			readonly type: 'sessionRotated';
			readonly oldSessionId: string;
			readonly newSessionId: string;
			readonly contextTokens: number;
			readonly percentOfWindow: number;
	  }
	| {
			/** R1: the window changed (model switch) and the thresholds with it. */
			readonly type: 'thresholdsChanged';
			readonly contextWindow: number;
			readonly triggerTokens: number;
			readonly rotationTokens: number;
	  }
	| {
			/** R12: the summariser is paused until `untilMs`. */
			readonly type: 'summarizerCoolingDown';
			readonly reason: SummaryFailureReason;
			readonly untilMs: number;
			readonly message: string;
	  };

/** H3/R1: the context size the agent's API last reported (input plus output of the latest request), if any. */
export function recordedContextTokens(messages: readonly Message[]): number | undefined {
	for (let i = messages.length - 1; i >= 0; i--) {
		const usage = messages[i]?.usage;
		if (usage !== undefined) return usage.contextTokens;
	}
	return undefined;
}

/**
 * The automatic-compaction state machine of a live session: triggers at the threshold (G1/R1), stops after two
 * ineffective compactions in a row (R2), asks for rotation at 95% when compaction is not enough (C4), pauses a
 * failing summariser (R12) and recomputes its thresholds on a model switch (R1). Time is passed in, so it is pure.
 */
export class AutoCompactionPolicy {
	private config: AutoCompactionConfig;
	private triggerTokens = 0;
	private rotationTokens = 0;
	private consecutiveIneffective = 0;
	private isSuspended = false;
	private compactions = 0;
	private lastLeftAboveTrigger = false;
	private cooldownUntilMs = 0;

	constructor(config: AutoCompactionConfig) {
		this.config = config;
		this.recompute();
	}

	/** The current state. */
	get state(): PolicyState {
		if (this.isPassThrough()) return 'passThrough';
		return this.isSuspended ? 'suspended' : 'watching';
	}

	/** The token counts at which compaction and rotation trigger. */
	get thresholds(): { readonly triggerTokens: number; readonly rotationTokens: number } {
		return { triggerTokens: this.triggerTokens, rotationTokens: this.rotationTokens };
	}

	/** Compactions fired so far in this session. */
	get compactionCount(): number {
		return this.compactions;
	}

	private recompute(): void {
		const window = this.config.contextWindow;
		this.triggerTokens = triggerTokensFor(
			window,
			this.config.triggerRatio ?? defaultTriggerRatio,
			this.config.triggerFloorTokens ?? defaultTriggerFloorTokens,
		);
		this.rotationTokens =
			window > 0 ? Math.floor(window * (this.config.rotationRatio ?? defaultRotationRatio)) : 0;
	}

	private isPassThrough(): boolean {
		// G1: a threshold of zero or no summariser means the policy never fires.
		return this.triggerTokens <= 0 || ((this.config.usesSummarizer ?? true) && !this.config.hasSummarizer);
	}

	/** What to do now that the context holds `contextTokens` (prefer the API-reported count, H3). */
	decide(contextTokens: number, nowMs: number): PolicyDecision {
		if (this.isPassThrough()) return { action: 'none', reason: 'passThrough' };
		if (
			this.rotationTokens > 0 &&
			contextTokens >= this.rotationTokens &&
			(this.isSuspended || this.lastLeftAboveTrigger)
		) {
			return {
				action: 'rotate',
				contextTokens,
				rotationTokens: this.rotationTokens,
				reason: this.isSuspended ? 'suspended' : 'compactionNotEnough',
			};
		}
		if (contextTokens < this.triggerTokens) return { action: 'none', reason: 'belowThreshold' };
		if (this.isSuspended) return { action: 'none', reason: 'suspended' };
		return {
			action: 'compact',
			contextTokens,
			triggerTokens: this.triggerTokens,
			isSummarizerCoolingDown: nowMs < this.cooldownUntilMs,
		};
	}

	/** Records a compaction that ran; returns the events it causes (G5/R15, and R2's suspension). */
	recordCompaction(outcome: CompactionOutcomeSummary): PolicyEvent[] {
		if (!outcome.success) return [];
		this.compactions++;
		const savingsPercent =
			outcome.tokensBefore > 0
				? ((outcome.tokensBefore - outcome.tokensAfter) / outcome.tokensBefore) * 100
				: 0;
		this.lastLeftAboveTrigger = outcome.tokensAfter >= this.triggerTokens;
		const events: PolicyEvent[] = [
			{
				type: 'compactionFired',
				count: this.compactions,
				messagesBefore: outcome.messagesBefore,
				messagesAfter: outcome.messagesAfter,
				tokensBefore: outcome.tokensBefore,
				tokensAfter: outcome.tokensAfter,
				savingsPercent,
			},
		];
		// R2: two compactions in a row that each saved under 10% mean compaction is thrashing.
		this.consecutiveIneffective =
			savingsPercent < ineffectiveSavingsPercent ? this.consecutiveIneffective + 1 : 0;
		if (!this.isSuspended && this.consecutiveIneffective >= ineffectiveCompactionLimit) {
			this.isSuspended = true;
			events.push({
				type: 'autoCompactionSuspended',
				consecutiveIneffective: this.consecutiveIneffective,
				message:
					`Automatic compaction stopped: the last ${this.consecutiveIneffective} compactions each freed less than ` +
					`${ineffectiveSavingsPercent}% of the context. Start a new session, or run Compress with a focus to choose what to keep.`,
			});
		}
		return events;
	}

	/** R12: records a summariser failure and pauses it: long when none is configured, short for transient errors. */
	recordSummaryFailure(reason: SummaryFailureReason, nowMs: number): PolicyEvent[] {
		if (reason === 'cancelled') return [];
		const pauseMs = reason === 'notConfigured' ? notConfiguredCooldownMs : transientCooldownMs;
		this.cooldownUntilMs = nowMs + pauseMs;
		const what = reason === 'notConfigured' ? 'No summariser is configured' : 'The summariser failed';
		return [
			{
				type: 'summarizerCoolingDown',
				reason,
				untilMs: this.cooldownUntilMs,
				message: `${what}; summaries are paused for ${Math.round(pauseMs / 1000)} s and compaction drops the middle behind a marker meanwhile.`,
			},
		];
	}

	/** C4: records a rotation to a fresh session; the new session starts with a clean slate. */
	recordRotation(oldSessionId: string, newSessionId: string, contextTokens: number): PolicyEvent[] {
		const window = this.config.contextWindow;
		this.isSuspended = false;
		this.consecutiveIneffective = 0;
		this.lastLeftAboveTrigger = false;
		return [
			{
				type: 'sessionRotated',
				oldSessionId,
				newSessionId,
				contextTokens,
				percentOfWindow: window > 0 ? (contextTokens / window) * 100 : 0,
			},
		];
	}

	/** R1: the model changed, so the window and both thresholds change with it. */
	switchModel(contextWindow: number): PolicyEvent[] {
		this.config = { ...this.config, contextWindow };
		this.recompute();
		return [
			{
				type: 'thresholdsChanged',
				contextWindow,
				triggerTokens: this.triggerTokens,
				rotationTokens: this.rotationTokens,
			},
		];
	}

	/** Whether a summariser is available now (G1). */
	setSummarizerAvailable(hasSummarizer: boolean): void {
		this.config = { ...this.config, hasSummarizer };
	}

	/** Lifts R2's suspension, e.g. after the person compacted by hand with a focus. */
	resume(): void {
		this.isSuspended = false;
		this.consecutiveIneffective = 0;
	}
}
