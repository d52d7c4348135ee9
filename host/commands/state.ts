// `state <id>`: the container's state as indented JSON in runc's field order. No lock and no
// addon: state.json is replaced atomically, and this is the command clients poll.
import type { Context } from "../context.ts";
import { goJson } from "../gojson.ts";
import { mustOpenContainer, ociState, statusOf } from "../store.ts";

export async function run(ctx: Context, args: unknown[], _options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const c = mustOpenContainer(ctx.root, id);
  // runc prints MarshalIndent's bytes with no trailing newline; clients parse it as is.
  ctx.out(goJson(ociState(c, statusOf(c)), "  "));
}
