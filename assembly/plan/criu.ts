// What CRIU is told about a container's mounts when it is checkpointed or restored (runc's
// choice): a bind mount's source is outside the container, so CRIU dumps it as external and
// binds the same source again at restore; on a cgroup v2 host the container's cgroup mount is
// external too (CRIU cannot dump a cgroup2 mount): restore binds the container's cgroup there.
import { Config } from "../config/model";
import { isBindMount } from "../config/mounts";
import { Request } from "../request";
import { cleanPath, resolvePath } from "../paths";
import { quote } from "../json/write";

// CRIU reads this file for what the RPC does not say (runc's default), unless the
// org.criu.config annotation names another, or is "" for none.
const DEFAULT_CRIU_CONFIG = "/etc/criu/runc.conf";

// The namespaces a container may join by path that CRIU takes as external, by its key (runc's).
const EXTERNAL_NS_TYPES = ["network", "pid"];
const EXTERNAL_NS_KEYS = ["extRootNetNS", "extRootPidNS"];

/** The "criu" section: {"externalMounts":[{"destination","source"} | {"destination","cgroup":true}],
 * "externalNamespaces":[{"type","path","key"}], "configFile": path or null}. A namespace joined by
 * path is not the container's to dump: CRIU records it by its inode and, at restore, is handed the
 * same path's namespace under the key. */
export function criuJson(c: Config, req: Request): string {
  const out: string[] = [];
  for (let i = 0; i < c.mounts.length; i++) {
    const m = c.mounts[i];
    if (m.destination.length == 0) continue;
    const dest = cleanPath(m.destination);
    if (isBindMount(m)) out.push("{\"destination\":" + quote(dest) + ",\"source\":" + quote(resolvePath(req.bundle, m.source)) + "}");
    else if (m.type == "cgroup" && req.cgroup == "v2") out.push("{\"destination\":" + quote(dest) + ",\"cgroup\":true}");
  }
  const nss: string[] = [];
  for (let i = 0; i < c.linux.namespaces.length; i++) {
    const ns = c.linux.namespaces[i];
    const k = EXTERNAL_NS_TYPES.indexOf(ns.type);
    if (ns.path.length == 0 || k < 0) continue;
    nss.push("{\"type\":" + quote(ns.type) + ",\"path\":" + quote(ns.path) + ",\"key\":" + quote(EXTERNAL_NS_KEYS[k]) + "}");
  }
  const config = c.hasCriuConfig ? c.criuConfig : DEFAULT_CRIU_CONFIG;
  return "{\"externalMounts\":[" + out.join(",") + "],\"externalNamespaces\":[" + nss.join(",") + "],\"configFile\":" + (config.length > 0 ? quote(config) : "null") + "}";
}
