// Runs the package's Web Worker entry (dist/worker-entry.js) in a Node worker thread: `self`
// here is a thin stand-in for a worker's global over worker_threads' parentPort.
import { parentPort } from "node:worker_threads";

globalThis.self = {
  postMessage: (message) => parentPort.postMessage(message),
  set onmessage(handler) {
    parentPort.on("message", (data) => handler({ data }));
  },
};
// Through the package's own export, as an app does (Node resolves a package's own name inside it).
await import("tokenveil/worker-entry");
