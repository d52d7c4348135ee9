// linux.resources.devices: the ordered allow/deny rules, plus the devices every container
// needs; on v1 lines for devices.allow and devices.deny, on v2 a BPF program
// (cgroups/device-program.ts).
//
// The runtime's own rules follow the config's, as runc appends them, so a drop-in container
// keeps /dev/null, /dev/pts and friends, and mknod of any node (what runc allows; the mount
// namespace still decides where a node can be made). A rule with a path is left out when
// linux.devices creates a node at that path, as runc does.
import { Config, DeviceRule } from "../config/model";
import { CgroupMode, CgroupWrite, write } from "./write";
import { cleanPath } from "../paths";

// type, major, minor (-1 = any), access, and the node the rule is for ("" = none).
const DEFAULT_TYPE: string[] = ["c", "b", "c", "c", "c", "c", "c", "c", "c", "c", "c"];
const DEFAULT_MAJOR: i64[] = [-1, -1, 1, 1, 1, 5, 1, 1, 136, 5, 10];
const DEFAULT_MINOR: i64[] = [-1, -1, 3, 8, 7, 0, 5, 9, -1, 2, 200];
const DEFAULT_ACCESS: string[] = ["m", "m", "rwm", "rwm", "rwm", "rwm", "rwm", "rwm", "rwm", "rwm", "rwm"];
const DEFAULT_PATH: string[] = ["", "", "/dev/null", "/dev/random", "/dev/full", "/dev/tty", "/dev/zero", "/dev/urandom", "", "", ""];

/** The config's rules, then the runtime's: what the device controller enforces, in order. */
export function deviceRules(c: Config): DeviceRule[] {
  const rules = c.linux.resources.devices.slice(0);
  for (let i = 0; i < DEFAULT_TYPE.length; i++) {
    const path = DEFAULT_PATH[i];
    let created = false;
    for (let k = 0; path.length > 0 && k < c.linux.devices.length; k++) if (cleanPath(c.linux.devices[k].path) == path) created = true;
    if (!created) rules.push(new DeviceRule("", true, DEFAULT_TYPE[i], DEFAULT_MAJOR[i], DEFAULT_MINOR[i], DEFAULT_ACCESS[i]));
  }
  return rules;
}

/** v1: deny everything, then each rule in order, as the kernel applies them. */
export function deviceWritesV1(rules: DeviceRule[], devicesPointer: string): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  write(out, CgroupMode.V1, "devices", "devices.deny", "a", devicesPointer);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const value = r.type + " " + wildcard(r.major) + ":" + wildcard(r.minor) + " " + r.access;
    write(out, CgroupMode.V1, "devices", r.allow ? "devices.allow" : "devices.deny", value, r.pointer);
  }
  return out;
}

function wildcard(n: i64): string {
  return n < 0 ? "*" : n.toString();
}
