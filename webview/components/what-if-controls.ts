import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { LitElement, css, html } from 'lit';
import type { StrategyName } from '../../src/core/compaction/strategies';
import type { WhatIfOptions } from '../../src/core/view/viewModel';
import { baseStyles } from '../styles';

/** Strategies offered in the what-if picker, with their labels. */
export const strategyChoices: readonly { readonly name: StrategyName; readonly label: string }[] = [
	{ name: 'summarize', label: 'summarize' },
	{ name: 'structure', label: 'structure' },
	{ name: 'structure-aggressive', label: 'structure (aggressive)' },
	{ name: 'prune', label: 'prune only' },
	{ name: 'lru', label: 'least recently used' },
	{ name: 'window', label: 'sliding window' },
	{ name: 'tc-cap', label: 'tool result cap' },
	{ name: 'rotate', label: 'rotate session' },
];

/** Wait after the last change before asking the host to re-plan, in milliseconds. */
export const whatIfDebounceMs = 250;

function numberFrom(value: string, min: number, max: number): number | undefined {
	const n = Number(value);
	return value.trim() !== '' && Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : undefined;
}

/** The what-if form: strategy, focus, head count, tail share and threshold; emits `whatif-change` (debounced) with all values. */
export class WhatIfControls extends LitElement {
	static override properties = {
		value: { attribute: false },
		disabled: { type: Boolean },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			form {
				display: flex;
				flex-wrap: wrap;
				gap: 6px 12px;
				align-items: end;
			}
			label {
				display: flex;
				flex-direction: column;
				gap: 2px;
				font-size: 0.9em;
				color: var(--vscode-descriptionForeground);
			}
			.narrow vscode-textfield {
				width: 80px;
			}
			.focus vscode-textfield {
				width: 180px;
			}
			vscode-single-select {
				width: 170px;
			}
		`,
	];

	value: Required<Omit<WhatIfOptions, 'focus'>> & { focus: string } = {
		strategy: 'summarize',
		focus: '',
		headMessages: 3,
		tailRatio: 0.2,
		triggerRatio: 0.8,
	};
	disabled = false;

	private timer: ReturnType<typeof setTimeout> | undefined;

	override render(): unknown {
		const v = this.value;
		return html`<form
			@submit=${(e: Event) => e.preventDefault()}
			aria-label="What if: re-plan without writing anything"
		>
			<label
				>strategy
				<vscode-single-select
					aria-label="Strategy"
					data-field="strategy"
					.value=${v.strategy}
					@change=${this.onChange}
				>
					${strategyChoices.map(
						(c) =>
							html`<vscode-option value=${c.name} ?selected=${c.name === v.strategy}
								>${c.label}</vscode-option
							>`,
					)}
				</vscode-single-select>
			</label>
			<label class="focus"
				>focus
				<vscode-textfield
					aria-label="Focus"
					data-field="focus"
					placeholder="what to keep in detail"
					.value=${v.focus}
					@input=${this.onChange}
				></vscode-textfield>
			</label>
			<label class="narrow"
				>head msgs
				<vscode-textfield
					aria-label="Protected head, in messages"
					data-field="headMessages"
					type="number"
					min="0"
					.value=${String(v.headMessages)}
					@input=${this.onChange}
				></vscode-textfield>
			</label>
			<label class="narrow"
				>tail %
				<vscode-textfield
					aria-label="Protected tail, in percent of the window"
					data-field="tailRatio"
					type="number"
					min="0"
					max="100"
					.value=${String(Math.round(v.tailRatio * 100))}
					@input=${this.onChange}
				></vscode-textfield>
			</label>
			<label class="narrow"
				>threshold %
				<vscode-textfield
					aria-label="Compaction threshold, in percent of the window"
					data-field="triggerRatio"
					type="number"
					min="1"
					max="100"
					.value=${String(Math.round(v.triggerRatio * 100))}
					@input=${this.onChange}
				></vscode-textfield>
			</label>
		</form>`;
	}

	private onChange(event: Event): void {
		const target = event.currentTarget as HTMLElement & { value: string };
		const raw = target.value;
		const next = { ...this.value };
		switch (target.dataset['field']) {
			case 'strategy': {
				const choice = strategyChoices.find((c) => c.name === raw);
				if (choice !== undefined) next.strategy = choice.name;
				break;
			}
			case 'focus':
				next.focus = raw;
				break;
			case 'headMessages': {
				const n = numberFrom(raw, 0, 100_000);
				if (n === undefined) return;
				next.headMessages = Math.round(n);
				break;
			}
			case 'tailRatio': {
				const n = numberFrom(raw, 0, 100);
				if (n === undefined) return;
				next.tailRatio = n / 100;
				break;
			}
			case 'triggerRatio': {
				const n = numberFrom(raw, 1, 100);
				if (n === undefined) return;
				next.triggerRatio = n / 100;
				break;
			}
			default:
				return;
		}
		this.value = next;
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.dispatchEvent(
				new CustomEvent<WhatIfOptions>('whatif-change', { detail: next, bubbles: true, composed: true }),
			);
		}, whatIfDebounceMs);
	}
}

customElements.define('cl-what-if-controls', WhatIfControls);

declare global {
	interface HTMLElementTagNameMap {
		'cl-what-if-controls': WhatIfControls;
	}
}
