// Loaded first, as a classic script, on both pages: records every WebAssembly.Memory the page
// creates or instantiates (tokenveil's module exports its memory; onnxruntime's threaded build
// creates a shared one in JS), so both libraries' wasm memory is measured the same way.
// Wasm memories only grow, so their current size is also their peak.
(() => {
  const memories = new Set();
  const note = (m) => m instanceof WebAssembly.Memory && memories.add(m);
  const fromInstance = (instance) => {
    for (const v of Object.values(instance.exports)) note(v);
  };
  const NativeMemory = WebAssembly.Memory;
  WebAssembly.Memory = function Memory(descriptor) {
    const m = new NativeMemory(descriptor);
    note(m);
    return m;
  };
  WebAssembly.Memory.prototype = NativeMemory.prototype;
  const wrap = (name) => {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      fromInstance(result instanceof WebAssembly.Instance ? result : result.instance);
      return result;
    };
  };
  wrap("instantiate");
  wrap("instantiateStreaming");
  const NativeInstance = WebAssembly.Instance;
  WebAssembly.Instance = function Instance(module, imports) {
    const i = new NativeInstance(module, imports);
    fromInstance(i);
    return i;
  };
  WebAssembly.Instance.prototype = NativeInstance.prototype;
  globalThis.wasmMemoryTotal = () => [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
  globalThis.wasmMemoryCount = () => memories.size;
  globalThis.wasmMemoryShared = () => [...memories].some((m) => Object.prototype.toString.call(m.buffer) === "[object SharedArrayBuffer]");
})();
