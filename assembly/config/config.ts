// The top level of config.json: ociVersion, root, mounts, process, hostname, domainname,
// annotations, linux. Unknown properties are ignored, as the spec requires.
import { JsonValue, JsonKind, childPointer } from "../json/value";
import { quote } from "../json/write";
import { Diagnostics, E_REQUIRED, E_RANGE, E_NEEDS_NAMESPACE, E_TYPE, E_EMPTY } from "../diagnostics";
import { Config } from "./model";
import { field, readObject, readArray, readString, readBool, isObject, isString, hasField, requireField } from "./read";
import { parseProcess } from "./process";
import { parseMounts } from "./mounts";
import { parseLinux, CLONE_NEWUTS, CLONE_NEWUSER } from "./linux";
import { parseLinuxSettings } from "./linux-settings";
import { parseResources } from "./resources";
import { checkNamespaceNeeds } from "./namespace-needs";
import { parseHooks } from "./hooks";
import { parseSeccomp } from "./seccomp";

export function parseConfig(v: JsonValue, d: Diagnostics): Config {
  const c = new Config();
  if (!isObject(v, "", d)) return c;

  if (requireField(v, "ociVersion", "", d)) {
    c.ociVersion = readString(v, "ociVersion", "", d);
    checkOciVersion(c.ociVersion, d);
  }

  const root = readObject(v, "root", "", d);
  if (!root) { if (!hasField(v, "root")) d.error(E_REQUIRED, "/root", "is required: the container's root filesystem"); }
  else {
    if (requireField(root, "path", "/root", d)) c.rootPath = readString(root, "path", "/root", d);
    if (hasField(root, "path") && c.rootPath.length == 0) d.error(E_REQUIRED, "/root/path", "must not be empty");
    c.rootReadonly = readBool(root, "readonly", "/root", d);
  }

  const mounts = readArray(v, "mounts", "", d);
  if (mounts) c.mounts = parseMounts(mounts, "/mounts", d);

  const proc = readObject(v, "process", "", d);
  if (proc) c.process = parseProcess(proc, "/process", d);

  c.hasHostname = hasField(v, "hostname");
  c.hostname = readString(v, "hostname", "", d);
  c.hasDomainname = hasField(v, "domainname");
  c.domainname = readString(v, "domainname", "", d);

  const ann = readObject(v, "annotations", "", d);
  if (ann) {
    c.annotationsJson = annotationsJson(ann, d);
    const criu = ann.get("org.criu.config");
    if (criu && criu.kind == JsonKind.String) {
      c.criuConfig = criu.str;
      c.hasCriuConfig = true;
    }
  }

  const linux = readObject(v, "linux", "", d);
  if (linux) {
    c.linux = parseLinux(linux, "/linux", d);
    parseLinuxSettings(linux, "/linux", d, c.linux);
    parseResources(linux, "/linux", d, c.linux);
  }
  c.linux.namespacesPointer = !linux ? "" : hasField(linux, "namespaces") ? "/linux/namespaces" : "/linux";
  const seccomp = readObject(linux, "seccomp", "/linux", d);
  if (seccomp) c.linux.seccomp = parseSeccomp(seccomp, "/linux/seccomp", d);

  const hooks = readObject(v, "hooks", "", d);
  if (hooks) c.hooks = parseHooks(hooks, "/hooks", d);

  // Settings that need a namespace the config does not give the container (runc refuses them too).
  let uts = false;
  let user = false;
  let newUser = false;
  for (let i = 0; i < c.linux.namespaces.length; i++) {
    const ns = c.linux.namespaces[i];
    if (ns.flag == CLONE_NEWUTS) uts = true;
    if (ns.flag == CLONE_NEWUSER) { user = true; newUser = ns.path.length == 0; }
  }
  const maps = c.linux.uidMappings.length + c.linux.gidMappings.length;
  if (!user && maps > 0 && c.linux.namespacesValid) {
    d.error(E_NEEDS_NAMESPACE, c.linux.uidMappings.length > 0 ? "/linux/uidMappings" : "/linux/gidMappings", "need a user namespace in /linux/namespaces");
  }
  if (newUser && !hasField(linux, "uidMappings")) d.error(E_REQUIRED, "/linux/uidMappings", "is required to create a user namespace");
  if (newUser && !hasField(linux, "gidMappings")) d.error(E_REQUIRED, "/linux/gidMappings", "is required to create a user namespace");
  if (!uts && c.hasHostname && c.hostname.length > 0) d.error(E_NEEDS_NAMESPACE, "/hostname", "cannot be set without a uts namespace in /linux/namespaces");
  if (!uts && c.hasDomainname && c.domainname.length > 0) d.error(E_NEEDS_NAMESPACE, "/domainname", "cannot be set without a uts namespace in /linux/namespaces");
  checkNamespaceNeeds(c, d);
  return c;
}

/** SemVer 2.0.0, major version 1 (the runtime-spec versions this runtime implements). */
function checkOciVersion(version: string, d: Diagnostics): void {
  const plus = version.indexOf("+");
  const withoutBuild = plus < 0 ? version : version.substring(0, plus);
  const dash = withoutBuild.indexOf("-");
  const core = dash < 0 ? withoutBuild : withoutBuild.substring(0, dash);
  const parts = core.split(".");
  let ok = parts.length == 3;
  for (let i = 0; ok && i < 3; i++) ok = isNumeric(parts[i]);
  // Pre-release: dot-separated identifiers, numeric ones without leading zeros; build: identifiers.
  if (ok && dash >= 0) ok = semverIdentifiers(withoutBuild.substring(dash + 1), true);
  if (ok && plus >= 0) ok = semverIdentifiers(version.substring(plus + 1), false);
  if (!ok) { d.error(E_RANGE, "/ociVersion", "\"" + version + "\" is not a SemVer 2.0.0 version"); return; }
  if (parts[0] != "1") d.error(E_RANGE, "/ociVersion", "version " + version + " is not supported: this runtime implements runtime-spec 1.0 to 1.3");
}

function semverIdentifiers(s: string, preRelease: bool): bool {
  const ids = s.split(".");
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id.length == 0) return false;
    let digits = true;
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      const digit = c >= 0x30 && c <= 0x39;
      if (!digit && !(c >= 0x41 && c <= 0x5a) && !(c >= 0x61 && c <= 0x7a) && c != 0x2d) return false;
      if (!digit) digits = false;
    }
    if (preRelease && digits && id.length > 1 && id.charCodeAt(0) == 0x30) return false;
  }
  return true;
}

function isNumeric(s: string): bool {
  if (s.length == 0 || (s.length > 1 && s.charCodeAt(0) == 0x30)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function annotationsJson(ann: JsonValue, d: Diagnostics): string {
  let out = "{";
  let first = true;
  for (let i = 0; i < ann.keys.length; i++) {
    const key = ann.keys[i];
    if (ann.get(key) !== ann.items[i]) continue; // a repeated key: the last one wins
    const ptr = childPointer("/annotations", key);
    if (key.length == 0) { d.error(E_EMPTY, ptr, "an annotation key must not be empty"); continue; }
    if (ann.items[i].kind != JsonKind.String) { d.error(E_TYPE, ptr, "must be a string"); continue; }
    out += (first ? "" : ",") + quote(key) + ":" + quote(ann.items[i].str);
    first = false;
  }
  return out + "}";
}
