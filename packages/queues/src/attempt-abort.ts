/**
 * The abort signal of one stage attempt, made on first use. Most handlers never read their
 * signal, and an AbortController per job (plus the DOMException its `abort()` builds) was a
 * measurable share of a no-op job's cost in bench/pipeline-throughput.ts.
 */
export class AttemptAbort {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  aborted = false;

  /** Why the attempt was aborted (a timeout error, an announced cancel…); undefined otherwise. */
  get reason(): unknown {
    return this.abortReason;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
