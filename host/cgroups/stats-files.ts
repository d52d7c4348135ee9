// Reading cgroup statistics files as runc's fscommon does, for stats-v1.ts and stats-v2.ts:
// unsigned 64-bit values ("max" is 2^64-1, a negative one 0), "key value" files, and errors in
// runc's words (`open <path>: no such file or directory`, `unable to parse <path>: …`) that
// keep the errno's code, so a reader can skip what the kernel does not have.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../errors.ts";
import { MAX_UINT64 } from "./stats-types.ts";

export interface StatsError extends Error {
  /** The errno name of a failed read ("ENOENT"), "" for a parse error. */
  code: string;
}

function statsError(message: string, code = ""): StatsError {
  return Object.assign(new Error(message), { code });
}

export function isNotExist(err: unknown): boolean {
  return (err as StatsError)?.code === "ENOENT";
}

/** dir/file's text; a failure as runc words it (`open <path>: no such file or directory`). */
export function readStatsFile(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), "latin1");
  } catch (err) {
    throw statsError(describeError(err), (err as NodeJS.ErrnoException).code ?? "");
  }
}

/** dir/file's text, or null when it does not exist. */
export function readOptional(dir: string, file: string): string | null {
  try {
    return readStatsFile(dir, file);
  } catch (err) {
    if (isNotExist(err)) return null;
    throw err;
  }
}

export function parseError(dir: string, file: string, why: string): StatsError {
  return statsError(`unable to parse ${join(dir, file)}: ${why}`);
}

/** runc's fscommon.ParseUint: a decimal uint64; a negative number reads as 0. */
export function parseUint(text: string, dir: string, file: string): bigint {
  const quoted = JSON.stringify(text);
  if (/^[0-9]+$/.test(text)) {
    const v = BigInt(text);
    if (v > MAX_UINT64) throw parseError(dir, file, `strconv.ParseUint: parsing ${quoted}: value out of range`);
    return v;
  }
  if (/^-[0-9]*[1-9][0-9]*$/.test(text)) return 0n;
  throw parseError(dir, file, `strconv.ParseUint: parsing ${quoted}: invalid syntax`);
}

/** A file holding one value (GetCgroupParamUint): trimmed, "max" is 2^64-1. */
export function readUint(dir: string, file: string): bigint {
  const text = readStatsFile(dir, file).trim();
  return text === "max" ? MAX_UINT64 : parseUint(text, dir, file);
}

export function readUintOptional(dir: string, file: string): bigint | null {
  try {
    return readUint(dir, file);
  } catch (err) {
    if (isNotExist(err)) return null;
    throw err;
  }
}

/** A file of "key value" lines (memory.stat, cpu.stat), in its order. */
export function readKeyValues(dir: string, file: string): Array<[string, bigint]> {
  return lines(readStatsFile(dir, file)).map((line) => {
    const parts = line.split(" ");
    if (parts.length !== 2) throw parseError(dir, file, `line ${JSON.stringify(line)} is not in key value format`);
    return [parts[0], parseUint(parts[1], dir, file)];
  });
}

/** The lines of a file's text, as a line scanner gives them (no empty last one). */
export function lines(text: string): string[] {
  const all = text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
}

/** The host's huge page sizes as runc names them ("2MB", "1GB", "64KB"), from the
 * hugepages-<n>kB directories of /sys/kernel/mm/hugepages. */
export function hugePageSizes(dir = "/sys/kernel/mm/hugepages"): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const sizes: string[] = [];
  for (const name of names) {
    const m = /^hugepages-([0-9]+)kB$/.exec(name);
    if (!m) continue;
    const kb = Number(m[1]);
    sizes.push(kb >= 1 << 20 ? `${Math.floor(kb / (1 << 20))}GB` : kb >= 1 << 10 ? `${Math.floor(kb / (1 << 10))}MB` : `${kb}KB`);
  }
  return sizes;
}
