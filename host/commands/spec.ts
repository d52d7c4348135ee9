// `spec`: write an example config.json into the bundle (default: the current directory), as
// `runc spec` does; `--rootless` writes runc's rootless variant. Never overwrites a config.json.
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { goJson } from "../gojson.ts";
import { defaultConfig } from "../default-config/config.ts";
import { toRootless } from "../default-config/rootless.ts";

export async function run(ctx: Context, _args: unknown[], options: Record<string, any>): Promise<void> {
  const opts = options as { bundle?: string; rootless?: boolean };
  let config = defaultConfig();
  if (opts.rootless) config = toRootless(config, process.geteuid!(), process.getegid!());
  const path = opts.bundle ? join(opts.bundle, "config.json") : "config.json";
  let fd: number;
  try {
    // O_EXCL: an existing config.json, or a symlink in its place, is never written through.
    fd = openSync(path, "wx", 0o666);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new OciError("File config.json exists. Remove it first");
    throw err;
  }
  try {
    // runc: MarshalIndent with tabs, no trailing newline.
    writeSync(fd, goJson(config, "\t"));
  } finally {
    closeSync(fd);
  }
  ctx.log.debug(`spec: wrote ${path}`);
}
