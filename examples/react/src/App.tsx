// Redact before sending: the text is redacted in the browser, and only the redacted text
// would leave the page (here it is shown instead of sent).
import { useState } from "react";
import type { Redaction } from "tokenveil/worker";
import { useRedactor } from "./useRedactor";

const SAMPLE = "Hi, I'm Maria Garcia, write to maria.garcia@example.com or call 415-555-0132.";

export function App({ modelUrl }: { modelUrl: string }) {
  const redactor = useRedactor(modelUrl);
  const [text, setText] = useState(SAMPLE);
  const [result, setResult] = useState<Redaction | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function redact() {
    if (redactor.status !== "ready") return;
    setError(null);
    try {
      setResult(await redactor.model.redact(text));
    } catch (e) {
      const err = e as { code?: string; message: string };
      setError(`${err.code ?? "error"}: ${err.message}`);
    }
  }

  return (
    <main>
      <label htmlFor="text">Message</label>
      <textarea id="text" rows={4} cols={70} value={text} onChange={(e) => setText(e.target.value)} />
      <button onClick={redact} disabled={redactor.status !== "ready"}>
        {redactor.status === "loading" ? "Loading model…" : "Redact"}
      </button>
      {redactor.status === "failed" && <p role="alert">{redactor.error.code}: {redactor.error.message}</p>}
      {error && <p role="alert">{error}</p>}
      {result && (
        <section>
          <h2>What would be sent</h2>
          <pre id="redacted">{result.text}</pre>
          <ul id="spans">
            {result.spans.map((s) => (
              <li key={s.start}>{s.replacement}: {s.entityType} ({s.detector})</li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
