// Runs the built `ocirun/core` entry point (argv[2]: build/core-api.js) under plain Node on the
// config JSON given on stdin, and prints {validate, plan: {ok, text, ops}} as JSON.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const api = await import(pathToFileURL(process.argv[2]).href);
const config = JSON.parse(readFileSync(0, "utf8"));
const v = await api.plan(config);
const ops = v.init ? api.disassemble(v.init).ops.length : 0;
process.stdout.write(JSON.stringify({ validate: await api.validate(config), plan: { ok: v.ok, text: v.text, ops } }));
