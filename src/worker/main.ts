// The analysis worker: bundled as dist/worker.js and started by the extension host (src/worker/client.ts) with
// new Worker(); it reads, counts and plans so the host's event loop never does. Imported anywhere else it does nothing.
import { isMainThread, parentPort } from 'node:worker_threads';
import { serveAnalysis } from './serve';

if (!isMainThread && parentPort !== null) serveAnalysis(parentPort);
