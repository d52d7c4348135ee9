// Synchronous waiting for tests that drive real processes: a sleep, and a poll with a deadline.

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls cond every `stepMs` until it holds or `ms` passed; returns its last value. */
export function waitFor(cond: () => boolean, ms = 5000, stepMs = 20): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    sleepSync(stepMs);
  }
  return cond();
}
