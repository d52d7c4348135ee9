// `list`: the containers under --root, as runc prints them: a tabwriter table, `-f json`, or
// `-q` (ids only). Half-created containers (no state.json) are not listed.
import { readFileSync } from "node:fs";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { goJson } from "../gojson.ts";
import { listContainers, ociState, statusOf } from "../store.ts";

export async function run(ctx: Context, _args: unknown[], options: Record<string, any>): Promise<void> {
  const opts = options as { format: string; quiet?: boolean };
  if (opts.format !== "table" && opts.format !== "json") throw new OciError("invalid format option");
  const items = listContainers(ctx.root).map((c) => ociState(c, statusOf(c), ownerName(c.uid)));
  if (opts.quiet) {
    ctx.out(items.map((s) => s.id + "\n").join(""));
    return;
  }
  // Go encodes an empty (nil) slice as null; runc prints exactly that.
  if (opts.format === "json") {
    ctx.out(goJson(items.length ? items : null) + "\n");
    return;
  }
  const rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]];
  for (const s of items) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
  ctx.out(formatTable(rows));
}

/** Go's text/tabwriter as runc configures it (minwidth 12, padding 3, spaces): every column but
 * the last is padded to max(12, widest cell + 3) characters. */
export function formatTable(rows: string[][], minWidth = 12, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minWidth, [...cell].length + padding);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell + " ".repeat(widths[i] - [...cell].length) : cell)).join("") + "\n")
    .join("");
}

let passwd: string | undefined;

/** The user name for a uid from /etc/passwd, or "#uid" as runc prints an unknown owner. */
export function ownerName(uid: number, passwdText?: string): string {
  if (passwdText === undefined) {
    try {
      passwd ??= readFileSync("/etc/passwd", "utf8");
    } catch {
      passwd = "";
    }
    passwdText = passwd;
  }
  for (const line of passwdText.split("\n")) {
    const f = line.split(":");
    if (f.length > 2 && f[2] === String(uid)) return f[0];
  }
  return `#${uid}`;
}
