// The webview prints figures with the same functions as the CLI and the extension (one formatting for every surface).
export {
	describeRecorded,
	formatMessageNumber,
	formatPinned,
	formatShare,
	formatSignedPercent,
	formatTokens,
	formatTokensShort,
	formatWindowPercent,
} from '../core/budget/formatFigures';
