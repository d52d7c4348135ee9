// Tests that need something a host may lack. A test that cannot run here is registered as
// skipped (uvu counts it) with its reason printed, never run as a pass; but a Debian package
// scripts/system-deps.txt lists is a prerequisite the project installs itself, so a test that
// finds one missing fails instead, naming it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { repo } from "./ocirun.ts";

/** Why a test cannot run here, or null when it can. */
export type Missing = string | null;

const installed = new Set(readFileSync(repo + "scripts/system-deps.txt", "utf8").split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean));

/** A test of something from Debian package pkg (present: whether it is there). */
export function packageMissing(pkg: string, present: boolean): Missing | { required: string } {
  if (present) return null;
  const why = `package ${pkg} is not installed`;
  return installed.has(pkg) && process.env.OCIRUN_NO_SYSTEM_DEPS !== "1" ? { required: `${why}, though scripts/system-deps.sh installs it` } : why;
}

/** test(name, fn), or a skipped test saying why, or a failing one for a missing prerequisite. */
export function testNeeding(name: string, missing: Missing | { required: string }, fn: () => unknown): void {
  if (missing === null) {
    test(name, fn as () => void);
  } else if (typeof missing === "object") {
    test(name, () => assert.unreachable(`prerequisite missing: ${missing.required}`));
  } else {
    console.log(`  skipped: ${name}: ${missing}`);
    test.skip(name, fn as () => void);
  }
}
