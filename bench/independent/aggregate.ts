// Sums the independent evaluation over transcripts. Works on plain scores, so it imports nothing it grades.
import { factClasses, saidOrActedClasses, type FactClass } from './extract';
import type { ClassCount, IndependentScore } from './score';
import { median } from '../stats';

/** One method's run on one transcript, as the aggregate needs it. */
export interface IndependentRun {
	readonly ok: boolean;
	readonly middleReductionPct: number;
	readonly independent: IndependentScore;
}

/** Sums over the runs where the method compacted: per class, said-or-acted together, and the median middle cut. */
export interface IndependentAggregate {
	readonly runs: number;
	readonly byClass: Readonly<Record<FactClass, ClassCount>>;
	readonly saidOrActed: ClassCount;
	readonly medianMiddleReductionPct: number;
}

/** Kept over total in percent; NaN when there is nothing to keep. */
export function percentKept(count: ClassCount): number {
	return count.total === 0 ? Number.NaN : (count.kept / count.total) * 100;
}

/** Micro-averaged counts over the runs that compacted (a declined run changes nothing and would flatter the method). */
export function aggregateIndependent(runs: readonly IndependentRun[]): IndependentAggregate {
	const done = runs.filter((r) => r.ok);
	const byClass = Object.fromEntries(
		factClasses.map((k) => [
			k,
			{
				kept: done.reduce((s, r) => s + r.independent.byClass[k].kept, 0),
				total: done.reduce((s, r) => s + r.independent.byClass[k].total, 0),
			},
		]),
	) as Record<FactClass, ClassCount>;
	const saidOrActed = {
		kept: saidOrActedClasses.reduce((s, k) => s + byClass[k].kept, 0),
		total: saidOrActedClasses.reduce((s, k) => s + byClass[k].total, 0),
	};
	return {
		runs: done.length,
		byClass,
		saidOrActed,
		medianMiddleReductionPct: median(done.map((r) => r.middleReductionPct)),
	};
}
