import { css } from 'lit';

/** Styles every component shares: theme font and colours, focus ring, visually hidden text; only --vscode-* variables. */
export const baseStyles = css`
	:host {
		font-family: var(--vscode-font-family);
		font-size: var(--vscode-font-size);
		font-weight: var(--vscode-font-weight);
		color: var(--vscode-foreground);
		box-sizing: border-box;
	}
	*,
	*::before,
	*::after {
		box-sizing: inherit;
	}
	:focus-visible {
		outline: 1px solid var(--vscode-focusBorder);
		outline-offset: 1px;
	}
	.muted {
		color: var(--vscode-descriptionForeground);
	}
	.visually-hidden {
		position: absolute;
		width: 1px;
		height: 1px;
		overflow: hidden;
		clip: rect(0 0 0 0);
		white-space: nowrap;
	}
	.codicon {
		font-size: 14px;
		vertical-align: text-bottom;
	}
	.swatch {
		display: inline-block;
		width: 10px;
		height: 10px;
		margin-right: 4px;
		border: 1px solid var(--vscode-contrastBorder, transparent);
		vertical-align: baseline;
	}
	button.link {
		font: inherit;
		color: var(--vscode-textLink-foreground);
		background: none;
		border: none;
		padding: 0;
		cursor: pointer;
		text-align: left;
	}
	button.link:hover {
		color: var(--vscode-textLink-activeForeground);
		text-decoration: underline;
	}
`;
