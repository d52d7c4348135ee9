// The `ocirun/core` entry point in a real browser: headless Chromium loads a page that imports
// build/core-api.js, which fetches core.wasm beside itself; the page writes what it got into the DOM.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baseConfig, core, patch, repo } from "../util/core";
import { packageMissing, testNeeding } from "../util/needs.ts";

const chromium = ["chromium", "chromium-browser"].find((c) => spawnSync("which", [c]).status === 0);
const invalid = patch(baseConfig(), { "/ociVersion": "x", "/process/cwd": "relative" });

const page = `<!doctype html><pre id="out">pending</pre><script type="module">
import { validate, plan, disassemble } from "/core-api.js";
const out = document.getElementById("out");
try {
  const good = await validate(${JSON.stringify(baseConfig())});
  const bad = await validate(${JSON.stringify(JSON.stringify(invalid))});
  const p = await plan(${JSON.stringify(baseConfig())});
  out.textContent = encodeURIComponent(JSON.stringify({ good, bad, text: p.text, ops: disassemble(p.init).ops.length }));
} catch (e) {
  out.textContent = encodeURIComponent(JSON.stringify({ error: String(e) }));
}
</script>`;

const types: Record<string, string> = { js: "text/javascript", wasm: "application/wasm" };
let server: Server;
let port = 0;

test.before(async () => {
  if (!chromium) return;
  server = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1);
    if (name === "") return res.writeHead(200, { "content-type": "text/html" }).end(page);
    if (name !== "core-api.js" && name !== "core.wasm") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[name.split(".").pop()!] }).end(readFileSync(join(repo, "build", name)));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as { port: number }).port;
});
test.after(() => { server?.close(); });

/** The DOM after the page's module ran (the browser runs while this process serves it). */
function dumpDom(url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "ocirun-chromium-"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`, "--virtual-time-budget=10000", "--dump-dom", url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(chromium!, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      code === 0 ? resolve(out) : reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`));
    });
  });
}

{
  testNeeding("ocirun/core in headless Chromium: validate and plan as under Bun", packageMissing("chromium", chromium !== undefined), async () => {
    // --dump-dom may return before the module's fetch of core.wasm finished on a loaded machine
    // (network time is not virtual time): load the page again, at most 3 times, until it answered.
    let dom = "";
    let m: RegExpExecArray | null = null;
    for (let attempt = 0; attempt < 3 && (!m || m[1] === "pending"); attempt++) {
      dom = await dumpDom(`http://127.0.0.1:${port}/`);
      m = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
    }
    assert.ok(m, `no result in the page: ${dom.slice(0, 300)}`);
    const got = JSON.parse(decodeURIComponent(m![1]));
    assert.is(got.error, undefined);
    assert.equal(got.good, { ok: true, diagnostics: [] });
    const facts = { cgroup: "v2" as const, cgroupV1: [] };
    assert.equal(got.bad, { ok: false, diagnostics: core("validate", invalid, facts).diagnostics });
    assert.is(got.text, core("plan", baseConfig(), facts).text);
    assert.is(got.ops, got.text.split("\n").filter((l: string) => /^\s*\d+ /.test(l)).length);
  });
}

test.run();
