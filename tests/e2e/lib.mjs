// Shared helpers for the end-to-end scripts: Debian's Chromium through playwright-core, the
// repository's static server, and TAP-like "ok - ..." / "not ok - ..." reporting.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium with a fresh profile (so an empty Cache API); `close()` removes it. */
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "tokenveil-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Serves `dir` on a free port of 127.0.0.1; resolves with the base URL and a `close()`. */
export async function startServer(dir, options = {}) {
  const server = await serve(dir, { port: 0, ...options });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** Runs named checks in order, printing one line each; `failed` counts the failures. */
export class Checks {
  failed = 0;
  passed = 0;

  /** Runs `fn`; a thrown error (or rejected promise) fails the check with its message. */
  async run(name, fn) {
    try {
      const note = await fn();
      this.passed++;
      console.log(`ok - ${name}${note ? ` (${note})` : ""}`);
      return true;
    } catch (err) {
      this.failed++;
      const message = err instanceof Error ? err.message : String(err);
      console.log(`not ok - ${name}\n  ${message.split("\n").join("\n  ")}`);
      return false;
    }
  }

  summary() {
    console.log(`# ${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0;
  }
}

/** Throws `message` unless `condition` holds. */
export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
