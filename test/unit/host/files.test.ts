// host/files.ts against node:fs: the same results and the same error shape (code, syscall,
// path, message), so the modules that moved to it behave as they did.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { describeError } from "../../../host/errors.ts";
import * as files from "../../../host/files.ts";
import { nodeFileCalls } from "../../../host/files-node.ts";
import { addon } from "../../../host/addon.ts";

const dir = fs.mkdtempSync(join(tmpdir(), "ocirun-files-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The error each throws, as the fields callers look at. */
function errorOf(f: () => unknown): { code: string; syscall: string; path?: string; described: string } | null {
  try {
    f();
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { code: e.code!, syscall: e.syscall!, path: e.path, described: describeError(e) };
  }
}

test("readFileSync: regular files of any size, procfs (size 0), utf8 and latin1", () => {
  const big = join(dir, "big");
  fs.writeFileSync(big, Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251)));
  assert.equal(files.readFileSync(big), fs.readFileSync(big));
  assert.is(files.readFileSync("/proc/self/status", "latin1").split("\n")[0], fs.readFileSync("/proc/self/status", "latin1").split("\n")[0]);
  fs.writeFileSync(join(dir, "u"), "é\u2603");
  assert.is(files.readFileSync(join(dir, "u"), "utf8"), "é\u2603");
  assert.is(files.readFileSync(join(dir, "u"), "latin1"), fs.readFileSync(join(dir, "u"), "latin1"));
});

test("errors carry node:fs's code, syscall, path and message", () => {
  const missing = join(dir, "missing");
  assert.equal(errorOf(() => files.readFileSync(missing)), errorOf(() => fs.readFileSync(missing)));
  assert.equal(errorOf(() => files.statSync(missing)), errorOf(() => fs.statSync(missing)));
  assert.equal(errorOf(() => files.rmdirSync(missing)), errorOf(() => fs.rmdirSync(missing)));
  assert.equal(errorOf(() => files.unlinkSync(missing)), errorOf(() => fs.unlinkSync(missing)));
  // The text is the C library's, as Go's (runc's) is; libuv words a few differently.
  const { described, ...fields } = errorOf(() => files.mkdirSync(dir))!;
  const { described: _, ...nodeFields } = errorOf(() => fs.mkdirSync(dir))!;
  assert.equal(fields, nodeFields);
  assert.is(described, `mkdir ${dir}: file exists`);
  assert.is(errorOf(() => files.readFileSync(missing))!.described, `open ${missing}: no such file or directory`);
});

test("mkdirSync recursive, writeFileSync, renameSync, readdirSync, subdirectoriesSync, stat", () => {
  const deep = join(dir, "a/b/c");
  files.mkdirSync(deep, { recursive: true, mode: 0o700 });
  files.mkdirSync(deep, { recursive: true }); // exists: no error
  fs.writeFileSync(join(dir, "a/plain"), "");
  assert.equal(errorOf(() => files.mkdirSync(join(dir, "a/plain"), { recursive: true }))?.code, errorOf(() => fs.mkdirSync(join(dir, "a/plain"), { recursive: true }))?.code);
  assert.ok(files.statSync(deep).isDirectory());
  assert.is(files.statSync(deep).mode & 0o777, 0o700);
  files.writeFileSync(join(dir, "a/f.tmp"), "x");
  files.renameSync(join(dir, "a/f.tmp"), join(dir, "a/f"));
  fs.symlinkSync(join(dir, "a/b"), join(dir, "a/link"));
  assert.equal(files.readdirSync(join(dir, "a")).sort(), fs.readdirSync(join(dir, "a")).sort());
  assert.equal(files.subdirectoriesSync(join(dir, "a")), ["b"]);
  assert.ok(files.lstatSync(join(dir, "a/link")).isSymbolicLink());
  assert.ok(files.existsSync(join(dir, "a/f")));
  assert.not.ok(files.existsSync(join(dir, "a/none")));
});

test("rmSync recursive removes a symlink, never what it points to; force ignores a missing path", () => {
  const keep = join(dir, "keep");
  fs.mkdirSync(keep);
  fs.writeFileSync(join(keep, "precious"), "1");
  const tree = join(dir, "tree");
  fs.mkdirSync(join(tree, "x/y"), { recursive: true });
  fs.writeFileSync(join(tree, "x/y/z"), "1");
  fs.symlinkSync(keep, join(tree, "x/out"));
  files.rmSync(tree, { recursive: true, force: true });
  assert.not.ok(fs.existsSync(tree));
  assert.ok(fs.existsSync(join(keep, "precious")));
  files.rmSync(tree, { recursive: true, force: true });
  assert.is(errorOf(() => files.rmSync(tree))?.code, "ENOENT");
});

test("open, write, fstat, close on a descriptor", () => {
  const p = join(dir, "fd");
  const fd = files.openSync(p, files.constants.O_WRONLY | files.constants.O_CREAT | files.constants.O_EXCL, 0o600);
  assert.is(files.writeSync(fd, "hello"), 5);
  assert.is(files.fstatSync(fd).size, 5);
  assert.ok(files.fstatSync(fd).isFile());
  files.closeSync(fd);
  assert.is(fs.readFileSync(p, "utf8"), "hello");
  assert.is(errorOf(() => files.openSync(p, files.constants.O_WRONLY | files.constants.O_CREAT | files.constants.O_EXCL))?.code, "EEXIST");
});

test("accessSync and statfsSync", () => {
  assert.is(files.statfsSync("/proc").type, fs.statfsSync("/proc").type);
  files.accessSync(dir, files.constants.W_OK);
  const missing = join(dir, "none");
  assert.equal(errorOf(() => files.accessSync(missing)), errorOf(() => fs.accessSync(missing)));
});

test("the node:fs fallback (no addon) answers as the addon does", () => {
  const [native, fallback] = [addon().files, nodeFileCalls()];
  const missing = join(dir, "nope");
  for (const calls of [native, fallback]) assert.is(calls.open(missing, calls.constants.O_RDONLY, 0), -2);
  const [name, text] = fallback.errnoName(2);
  assert.equal([name, text.toLowerCase()], ["ENOENT", native.errnoName(2)[1].toLowerCase()]);
  fs.mkdirSync(join(dir, "fb/sub"), { recursive: true });
  fs.writeFileSync(join(dir, "fb/file"), "abc");
  assert.equal(fallback.readdir(join(dir, "fb"), true), native.readdir(join(dir, "fb"), true));
  assert.equal((fallback.stat(join(dir, "fb/file"), true) as number[]).slice(0, 5), (native.stat(join(dir, "fb/file"), true) as number[]).slice(0, 5));
  assert.equal(fallback.constants, native.constants);
  assert.is(fallback.statfs("/proc"), native.statfs("/proc"));
  assert.is(fallback.access(missing, fallback.constants.F_OK), native.access(missing, native.constants.F_OK));
});

test.run();
