// `state <id>`: the container's state as indented JSON in runc's field order. No lock and no
// addon: state.json is replaced atomically, and this is the command clients poll.
import type { ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { goJson } from "../gojson.ts";
import { mustOpenContainer, ociState, statusOf } from "../store.ts";

export function register(program: ProgramDef, ctx: Context): void {
  program
    .command("state")
    .description("output the state of a container")
    .argument("<container-id>", "the container's id")
    .action((id: string) => {
      const c = mustOpenContainer(ctx.root, id);
      // runc prints MarshalIndent's bytes with no trailing newline; clients parse it as is.
      ctx.out(goJson(ociState(c, statusOf(c)), "  "));
    });
}
