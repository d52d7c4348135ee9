// Translates build/core.wasm to C with wabt's wasm2c (addon/gen/core.c and core.h) and copies
// wabt's runtime beside it (wasm-rt.h, wasm-rt-impl.c/.h), for binding.gyp's core_c target: the
// same core the other hosts run, linked into the addon so a command gets its verdict with no
// compile step (addon/src/core_native.cc). Run by build:addon, after build:core.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const wasm = root + "build/core.wasm";
const out = root + "addon/gen/";
// Where Debian's wabt puts the runtime the generated code links against.
const runtime = { "wasm-rt.h": "/usr/include/", "wasm-rt-impl.h": "/usr/share/wabt/wasm2c/", "wasm-rt-impl.c": "/usr/share/wabt/wasm2c/" };

if (!existsSync(wasm)) fail(`${wasm} is missing: run npm run build:core first`);
for (const [file, dir] of Object.entries(runtime)) {
  if (!existsSync(dir + file)) fail(`${dir + file} is missing: install wabt (scripts/system-deps.txt)`);
}
mkdirSync(out, { recursive: true });
try {
  // -n core: the symbols are Z_core_*, whatever the module's name section says.
  execFileSync("wasm2c", [wasm, "-n", "core", "-o", out + "core.c"], { stdio: "inherit" });
} catch (err) {
  fail(err.code === "ENOENT" ? "wasm2c not found: install wabt (scripts/system-deps.txt)" : `wasm2c failed: ${err.message}`);
}
for (const [file, dir] of Object.entries(runtime)) copyFileSync(dir + file, out + file);

function fail(message) {
  console.error(`build-core-c: ${message}`);
  process.exit(1);
}
