// Builds build/ocirun, the one executable: the host bundled by `bun build --compile` with the
// addon and core.wasm inside. Besides it goes a copy of the addon named by its content hash
// (build/ocirun-<hash>.node): the executable loads that file directly, which costs about 2 ms
// less per start than Bun's own loading of an embedded .node, and falls back to the embedded
// copy when the file is not there (a binary copied alone) or is another build's (another name).
// Start-up choices (docs/startup.md says what each saves):
//   --splitting, ESM: each command's modules, and the Node built-ins they import, are loaded
//     only by that command (a single bundle hoists every built-in import to its top);
//   --bytecode: no parsing at start;
//   --compile-jit-policy=10: JSC tiers code up ten times later, so a short command runs in the
//     interpreter without starting JIT compiler threads (a long one still gets the JIT);
//   --no-compile-autoload-*: never read bunfig.toml or .env from the working directory, which is
//     the bundle for containerd and conmon (a bundle's .env would otherwise change our env).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const addonPath = root + "addon/build/Release/ocirun.node";
const hash = createHash("sha256").update(readFileSync(addonPath)).digest("hex").slice(0, 16);
const addonFile = `ocirun-${hash}.node`;

mkdirSync(root + "build", { recursive: true });
for (const f of readdirSync(root + "build")) {
  if (/^ocirun-[0-9a-f]+\.node$/.test(f) && f !== addonFile) unlinkSync(root + "build/" + f);
}
copyFileSync(addonPath, root + "build/" + addonFile);

const args = [
  "build", "--compile", "--minify", "--bytecode", "--splitting", "--format=esm",
  "--compile-jit-policy=10", "--no-compile-autoload-bunfig", "--no-compile-autoload-dotenv",
  "--no-compile-autoload-tsconfig", "--no-compile-autoload-package-json",
  `--define=OCIRUN_ADDON_FILE=${JSON.stringify(addonFile)}`,
  "host/cli.ts", "--outfile", "build/ocirun",
];
const r = spawnSync(root + "node_modules/.bin/bun", args, { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
