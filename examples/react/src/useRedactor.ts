// A React hook around tokenveil's worker API: the model loads once, in a Web Worker (so
// the page stays responsive while it loads and runs), and is freed when the component unmounts.
import { useEffect, useState } from "react";
import { TokenClassifier } from "tokenveil/worker";
import type { LoadProgress, ModelError } from "tokenveil/worker";

export type RedactorState =
  | { status: "loading"; progress?: LoadProgress }
  | { status: "ready"; model: TokenClassifier }
  | { status: "failed"; error: ModelError };

export function useRedactor(modelUrl: string): RedactorState {
  const [state, setState] = useState<RedactorState>({ status: "loading" });
  useEffect(() => {
    // React may mount, unmount and mount again (StrictMode in development): each effect run
    // owns its own load, and a load that finishes after its unmount is freed at once.
    let active = true;
    let loaded: TokenClassifier | undefined;
    setState({ status: "loading" });
    TokenClassifier.load(modelUrl, { onProgress: (progress) => active && setState({ status: "loading", progress }) })
      .then((model) => {
        loaded = model;
        if (active) setState({ status: "ready", model });
        else void model.dispose();
      })
      .catch((error: ModelError) => active && setState({ status: "failed", error }));
    return () => {
      active = false;
      void loaded?.dispose();
    };
  }, [modelUrl]);
  return state;
}
