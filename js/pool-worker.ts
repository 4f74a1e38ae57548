// A pool worker of the threaded build (js/wasm.ts starts them): instantiates the module on the
// page's shared memory, says it is ready, then runs matmul parts for the rest of its life
// (`poolWorker` never returns; see src/parallel.rs).
import initThreads, { poolWorker } from "./wasm/tokenveil_threads.js";

self.onmessage = async (event: MessageEvent<{ module: WebAssembly.Module; memory: WebAssembly.Memory }>) => {
  const { module, memory } = event.data;
  try {
    await initThreads({ module_or_path: module, memory });
  } catch (err) {
    self.postMessage(`failed: ${String(err)}`);
    return;
  }
  self.postMessage("ready");
  poolWorker();
};
