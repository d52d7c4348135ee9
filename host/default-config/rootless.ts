// `spec --rootless`: runc's rootless transformation of the default config. A user namespace
// mapping the caller's euid/egid to 0; no network namespace (an unprivileged user could not
// configure one); /sys bind-mounted from the host (sysfs cannot be mounted without owning the
// network namespace); no uid=/gid= mount options (those ids are not mapped); no cgroup
// resources (an unprivileged user may not own a cgroup to write them to).
import type { Config, Mount } from "./config.ts";

export function toRootless(config: Config, euid: number, egid: number): Config {
  const old = config.linux as { namespaces: Array<{ type: string }> } & Record<string, unknown>;
  const { resources: _resources, namespaces, ...rest } = old;
  const linux = {
    // uid/gidMappings first: the order of runc's Linux struct.
    uidMappings: [{ containerID: 0, hostID: euid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: egid, size: 1 }],
    namespaces: [...namespaces.filter((ns) => ns.type !== "network" && ns.type !== "user"), { type: "user" }],
    ...rest,
  };
  const mounts = config.mounts.map((m): Mount => {
    if (m.destination === "/sys") {
      return { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"] };
    }
    return m.options ? { ...m, options: m.options.filter((o) => !/^[ug]id=/.test(o)) } : m;
  });
  return { ...config, mounts, linux };
}
