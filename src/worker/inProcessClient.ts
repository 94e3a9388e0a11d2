import { Analysis } from './analysis';
import { summarizeOnHost, type AnalysisClient, type CallOptions } from './client';
import type { MethodName, ParamsOf, ResultOf } from './protocol';

/** The same calls answered on the calling thread: for tests, and for the bench's main-thread comparison. */
export class InProcessAnalysisClient implements AnalysisClient {
	constructor(readonly analysis = new Analysis()) {}

	call<M extends MethodName>(
		method: M,
		params: ParamsOf<M>,
		options: CallOptions = {},
	): Promise<ResultOf<M>> {
		const summarizer = options.summarizer;
		return this.analysis.call(method, params, {
			signal: options.signal ?? new AbortController().signal,
			progress: (progress) => options.onProgress?.(progress),
			...(summarizer !== undefined
				? { summarizeOnHost: (request, signal) => summarizeOnHost(summarizer, request, signal) }
				: {}),
		});
	}

	dispose(): Promise<void> {
		return Promise.resolve();
	}
}
