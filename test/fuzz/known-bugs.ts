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

export const KNOWN_BUGS: KnownBug[] = [
  {
    id: "pointer-into-absent-linux",
    corpus: ["bug-pointer-into-absent-linux.json"],
    description: "no /linux at all: E3007 points at /linux/namespaces, whose parent does not exist (assembly/plan/init.ts)",
    failure: (f) => f.check === "pointer" && f.detail.includes('"/linux/namespaces" names a field whose parent does not exist'),
  },
  {
    id: "user-ids-optional",
    corpus: ["bug-user-ids-optional.json"],
    description: "process.user without uid or gid is accepted; config.md: both are REQUIRED (assembly/config/process.ts)",
    missed: (f) => f.rule === "schema:required" && (f.pointer === "/process/user/uid" || f.pointer === "/process/user/gid"),
  },
  {
    id: "annotation-empty-key",
    corpus: ["bug-annotation-empty-key.json"],
    description: 'annotations with the key "" are accepted; config.md: keys MUST NOT be empty (assembly/config/config.ts)',
    missed: (f) => f.pointer === "/annotations/" || (f.pointer === "/annotations" && f.rule === "schema:minLength"),
  },
  {
    id: "lone-surrogate-raw-in-verdict",
    corpus: ["bug-lone-surrogate-raw-in-verdict.json"],
    description: 'a "\\ud800" escape in config.json comes out as the bytes ED A0 80 in diagnostics and plan text: not UTF-8, so not JSON (assembly/json/write.ts)',
    failure: (f) => f.check === "verdict" && f.detail.endsWith("is not valid UTF-8"),
  },
  {
    id: "pointer-index-after-skipped-item",
    corpus: ["bug-pointer-index-after-skipped-item.json"],
    description: "maskedPaths/readonlyPaths (also args, mount options) index the list left after non-strings are skipped, so the pointer names the wrong element (assembly/config/linux.ts absolutePaths, read.ts readStringArray)",
    failure: (f) => f.check === "pointer" && f.detail.includes("but the message is about another value"),
  },
  {
    id: "semver-prerelease-unchecked",
    corpus: ["bug-semver-prerelease-unchecked.json"],
    description: 'ociVersion "1.0.0-a..b", "1.0.0-", "1.0.0-01", "1.0.0+" pass: only major.minor.patch is checked (assembly/config/config.ts checkOciVersion)',
    missed: (f) => f.rule === "schema:pattern" && f.pointer === "/ociVersion",
  },
];

/** The known bugs that explain a failure, or null if it is new. */
export function knownBug(f: Failure): string | null {
  if (f.missed && f.missed.length > 0) {
    const ids = f.missed.map((m) => KNOWN_BUGS.find((b) => b.missed?.(m))?.id);
    return ids.every((id) => id) ? [...new Set(ids)].join("+") : null;
  }
  return KNOWN_BUGS.find((b) => b.failure?.(f))?.id ?? null;
}
