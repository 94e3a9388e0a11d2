// The analysis worker: part of dist/extension.js (src/extension/entry.ts), which the extension host starts again in
// a worker thread (src/worker/client.ts); there it reads, counts and plans so the host's event loop never does. On
// any main thread it does nothing.
import { isMainThread, parentPort } from 'node:worker_threads';
import { Analysis } from './analysis';
import { serveAnalysis } from './serve';
import { lowerThreadPriority } from './threadPriority';

if (!isMainThread && parentPort !== null) serveAnalysis(parentPort, new Analysis(lowerThreadPriority()));
