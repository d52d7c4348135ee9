// `completion bash|zsh|fish`: print the shell's completion script (host/completion.ts).
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "../completion.ts";

export async function run(ctx: Context, args: unknown[]): Promise<void> {
  const [shell] = args as [string];
  const script = shell === "bash" ? bashCompletion() : shell === "zsh" ? zshCompletion() : shell === "fish" ? fishCompletion() : undefined;
  if (script === undefined) throw new UsageError(`completion: unknown shell "${shell}" (bash, zsh or fish)`);
  ctx.out(script);
}
