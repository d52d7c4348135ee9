// ps(1)'s table filtered to a container's pids, by runc's rules: the header line kept as it is,
// the PID column found by its name there, and each later line whose PID is the container's
// printed verbatim (blank lines skipped).
import { OciError } from "./errors.ts";

export function filterPsTable(output: string, pids: number[]): string {
  const lines = output.split("\n");
  const pidIndex = lines[0].trim().split(/\s+/).indexOf("PID");
  if (pidIndex < 0) throw new OciError("couldn't find PID field in ps output");
  const wanted = new Set(pids);
  let out = lines[0] + "\n";
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const field = line.trim().split(/\s+/)[pidIndex] ?? "";
    if (!/^[+-]?[0-9]+$/.test(field)) throw new OciError(`unable to parse pid: strconv.Atoi: parsing ${JSON.stringify(field)}: invalid syntax`);
    if (wanted.has(Number(field))) out += line + "\n";
  }
  return out;
}
