// checkpoint and restore: the flag checks made before CRIU is called (host/criu-flags.ts), with
// runc's words.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkCriuFlags, prepareImagePaths } from "../../../host/criu-flags.ts";

const throwsWith = (fn: () => unknown, msg: string) => assert.throws(fn, (e: Error) => e.message === msg, msg);

test("manage-cgroups-mode, empty-ns, page-server and status-fd as runc reads them", () => {
  for (const mode of ["", "soft", "full", "strict"]) checkCriuFlags({ manageCgroupsMode: mode, emptyNs: [] });
  throwsWith(() => checkCriuFlags({ manageCgroupsMode: "ignore", emptyNs: [] }), "Invalid manage cgroups mode");
  checkCriuFlags({ emptyNs: ["network", "mount"] });
  throwsWith(() => checkCriuFlags({ emptyNs: ["net"] }), 'namespace "net" is not supported');
  for (const ps of ["127.0.0.1:27", "[::1]:27", "host:1"]) checkCriuFlags({ emptyNs: [], pageServer: ps });
  for (const ps of ["nocolon", ":27", "host:", "a:b:c"]) throwsWith(() => checkCriuFlags({ emptyNs: [], pageServer: ps }), "Use --page-server ADDRESS:PORT to specify page server");
  throwsWith(() => checkCriuFlags({ emptyNs: [], pageServer: "host:port" }), "Invalid port number");
});

test("image and parent paths: the image path is made; the parent must be relative and a directory there", () => {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-criu-"));
  try {
    const image = join(dir, "image");
    assert.equal(prepareImagePaths({ imagePath: image, emptyNs: [] }), { imagePath: image, parentPath: "" });
    assert.ok(existsSync(image));
    throwsWith(() => prepareImagePaths({ imagePath: image, parentPath: "/abs", emptyNs: [] }), "--parent-path must be relative");
    throwsWith(() => prepareImagePaths({ imagePath: image, parentPath: "../missing", emptyNs: [] }), `invalid --parent-path: stat ${join(dir, "missing")}: no such file or directory`);
    writeFileSync(join(dir, "file"), "");
    throwsWith(() => prepareImagePaths({ imagePath: image, parentPath: "../file", emptyNs: [] }), `invalid --parent-path: ${join(dir, "file")}: not a directory`);
    mkdirSync(join(dir, "parent"));
    assert.equal(prepareImagePaths({ imagePath: image, parentPath: "../parent", emptyNs: [] }), { imagePath: image, parentPath: "../parent" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
