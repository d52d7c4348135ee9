// The tmpcopyup mount option (runc's EXT_COPYUP): a tmpfs that starts with a copy of the rootfs
// directory it covers, read from inside real containers. Each test gets its own directory in the
// shared rootfs; symlinks that point out of the container name files of this suite's temp dir.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

let ids = 0;

/** A fresh directory /cuN of the rootfs: a file, a subdirectory with a file, a symlink, and a
 * file 0640 owned by 1000:1000. Returns its path in the container and on the host. */
function sourceDir(): { dest: string; host: string } {
  const dest = `/cu${++ids}`;
  const host = join(t.rootfs, dest);
  mkdirSync(join(host, "sub"), { recursive: true });
  chmodSync(host, 0o755);
  writeFileSync(join(host, "file"), "hello\n");
  writeFileSync(join(host, "sub", "inner"), "inner\n");
  chmodSync(join(host, "sub"), 0o755);
  chownSync(join(host, "sub"), 1000, 1000);
  symlinkSync("sub/inner", join(host, "link"));
  writeFileSync(join(host, "owned"), "owned\n");
  chmodSync(join(host, "owned"), 0o640);
  chownSync(join(host, "owned"), 1000, 1000);
  return { dest, host };
}

const tmpfs = (dest: string, options: string[]) => ({ destination: dest, type: "tmpfs", source: "tmpfs", options });

/** `run` sh -c script with the mount appended to the default ones; stdout, or the failure. */
function run(script: string, mount: Record<string, unknown>) {
  return ocirun(["run", "--bundle", t.bundle(["sh", "-c", script], { "/mounts/7": mount }), `cu${++ids}`], { root });
}

function stdoutOf(script: string, mount: Record<string, unknown>): string {
  const r = run(script, mount);
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const hostListing = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

test("the tmpfs holds the directory's files, subdirectory, symlink, modes and owners", () => {
  const { dest, host } = sourceDir();
  const out = stdoutOf(
    `cd ${dest} && stat -c '%n %a %u:%g %F' file sub sub/inner owned link && cat file sub/inner && readlink link && cat link && ` +
      `grep " ${dest} " /proc/self/mountinfo | cut -d' ' -f9`,
    tmpfs(dest, ["nosuid", "tmpcopyup", "size=1m"]),
  );
  assert.equal(out.trim().split("\n"), [
    "file 644 0:0 regular file",
    "sub 755 1000:1000 directory",
    "sub/inner 644 0:0 regular file",
    "owned 640 1000:1000 regular file",
    "link 777 0:0 symbolic link",
    "hello", "inner",
    "sub/inner",
    "inner",
    "tmpfs",
  ]);
  assert.equal(hostListing(host), ["file", "link", "owned", "sub", "sub/inner"]);
});

test("writes go to the tmpfs: the rootfs directory is unchanged afterwards", () => {
  const { dest, host } = sourceDir();
  const before = hostListing(host);
  const out = stdoutOf(
    `cd ${dest} && echo changed > file && echo new > new && rm link && mkdir made && echo $(ls -A) && cat file`,
    tmpfs(dest, ["tmpcopyup"]),
  );
  assert.equal(out.trim().split("\n"), ["file made new owned sub", "changed"]);
  assert.equal(hostListing(host), before);
  assert.is(readFileSync(join(host, "file"), "utf8"), "hello\n");
  assert.ok(lstatSync(join(host, "link")).isSymbolicLink());
});

test("control: without tmpcopyup the tmpfs is empty", () => {
  const { dest } = sourceDir();
  assert.is(stdoutOf(`ls -A ${dest} | wc -l`, tmpfs(dest, ["nosuid"])).trim(), "0");
});

test("symlinks that point out of the container are copied as symlinks, never followed on the host", () => {
  const { dest, host } = sourceDir();
  // Host files the container cannot see: /tmp of the container is the rootfs's own.
  const secretDir = join(t.dir, "host-secret-dir");
  mkdirSync(secretDir);
  writeFileSync(join(secretDir, "HOST-MARKER"), "host\n");
  const secretFile = join(t.dir, "host-secret");
  writeFileSync(secretFile, "HOST-SECRET\n");
  symlinkSync(secretFile, join(host, "abs"));
  symlinkSync(secretDir, join(host, "absdir"));
  symlinkSync(`../../../../../../../..${secretFile}`, join(host, "rel"));
  const out = stdoutOf(
    `cd ${dest} && for l in abs absdir rel; do [ -L $l ] && echo "$l -> $(readlink $l)"; done; ` +
      `cat abs rel 2>/dev/null; ls -AR . | grep -c HOST-MARKER || true`,
    tmpfs(dest, ["tmpcopyup"]),
  );
  assert.equal(out.trim().split("\n"), [
    `abs -> ${secretFile}`,
    `absdir -> ${secretDir}`,
    `rel -> ../../../../../../../..${secretFile}`,
    "0",
  ]);
  assert.ok(lstatSync(join(host, "abs")).isSymbolicLink());
  assert.is(readFileSync(secretFile, "utf8"), "HOST-SECRET\n");
  assert.equal(readdirSync(secretDir), ["HOST-MARKER"]);
});

test("ro with tmpcopyup: the copy is there and the tmpfs is read-only", () => {
  const { dest } = sourceDir();
  const out = stdoutOf(
    `cat ${dest}/file; if (echo x > ${dest}/new) 2>/dev/null; then echo writable; else echo read-only; fi; ` +
      `grep " ${dest} " /proc/self/mountinfo | cut -d' ' -f6`,
    tmpfs(dest, ["tmpcopyup", "ro", "nodev"]),
  );
  const [content, write, opts] = out.trim().split("\n");
  assert.equal([content, write], ["hello", "read-only"]);
  assert.ok(opts.split(",").includes("ro") && opts.split(",").includes("nodev"), opts);
});

test("a tree deeper than 64 directories fails, naming the mount", () => {
  const dest = `/cu${++ids}`;
  mkdirSync(join(t.rootfs, dest, ...Array(65).fill("d")), { recursive: true });
  const r = run("true", tmpfs(dest, ["tmpcopyup"]));
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, `/mounts/7: mount \\"tmpfs\\" on \\"${dest}\\" with a copy of its contents (tmpcopyup): too many levels of symbolic links`);
});

test("tmpcopyup on a bind mount is refused, naming the option", () => {
  const r = run("true", { destination: "/b", type: "bind", source: t.rootfs, options: ["rbind", "tmpcopyup"] });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, '/mounts/7/options/1: \\"tmpcopyup\\" is only for tmpfs mounts');
});

test("features lists tmpcopyup", () => {
  const r = ocirun(["features"]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).mountOptions.includes("tmpcopyup"));
});

test.run();
