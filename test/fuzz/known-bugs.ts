// Core bugs the fuzzer found that are reported and not fixed yet. Each names its corpus file
// (test/fuzz/corpus/). A run counts matching failures apart instead of failing; the corpus test
// fails once a bug no longer reproduces, so its entry is removed here when the core is fixed.
import type { Failure } from "./checks";
import type { Finding } from "./oracle";

export interface KnownBug {
  id: string;
  corpus: string[];
  description: string;
  /** A failure this bug explains. */
  failure?: (f: Failure) => boolean;
  /** An oracle finding the core misses because of this bug (a "core says valid" disagreement). */
  missed?: (f: Finding) => boolean;
}

// The bugs it found so far are fixed; their inputs stay in the corpus as regress-*.json.
export const KNOWN_BUGS: KnownBug[] = [];

/** The known bugs that explain a failure, or null if it is new. */
export function knownBug(f: Failure): string | null {
  if (f.missed && f.missed.length > 0) {
    const ids = f.missed.map((m) => KNOWN_BUGS.find((b) => b.missed?.(m))?.id);
    return ids.every((id) => id) ? [...new Set(ids)].join("+") : null;
  }
  return KNOWN_BUGS.find((b) => b.failure?.(f))?.id ?? null;
}
