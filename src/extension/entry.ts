// dist/extension.js, built from this file, is two programs in one bundle, so the code they share ships once (the
// VSIX is limited to 2 MB): loaded by the extension host it is the extension (activate, deactivate); loaded in a
// worker thread (src/worker/client.ts starts it) it is the analysis worker (src/worker/main.ts), which reads, counts
// and plans off the host's thread. The build hands `vscode` only to the host's main thread: no module may use it
// when loaded.
import '../worker/main';

export { activate, deactivate } from './activate';
