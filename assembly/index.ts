// The core's entry: read a request on stdin, write a verdict on stdout (docs/formats.md).
import { readStdin, writeBytes, writeString, exit } from "./wasi";
import { parseRequest, Request } from "./request";
import { parseJson, lineColumn } from "./json/parse";
import { Diagnostics, E_JSON_SYNTAX, E_TOO_LARGE } from "./diagnostics";
import { parseConfig } from "./config/config";
import { Config } from "./config/model";
import { PlanWriter } from "./plan/writer";
import { planInit, rootfsPath } from "./plan/init";
import { planExecProcess } from "./plan/exec";
import { execConfigTree } from "./config/exec-process";
import { Verdict, diagnosticsJson } from "./verdict";
import { quote } from "./json/write";
import { hooksJson } from "./config/hooks";
import { featuresJson } from "./features";
import { planCgroup, cgroupJson, CgroupPlan } from "./cgroups/plan";
import { usesNotify } from "./plan/seccomp";
import { answerUpdate } from "./update/plan";
import { criuJson } from "./plan/criu";

const MAX_CONFIG_BYTES: i32 = 4 << 20;

function containerJson(c: Config, req: Request): string {
  return "{\"ociVersion\":" + quote(c.ociVersion) + ",\"rootfs\":" + quote(rootfsPath(c, req)) +
    ",\"annotations\":" + c.annotationsJson + ",\"hasProcess\":" + (c.process.present ? "true" : "false") +
    ",\"terminal\":" + (c.process.terminal ? "true" : "false") + seccompListenerJson(c) + "}";
}

/** The agent that gets an SCMP_ACT_NOTIFY filter's listener, when the plan has one. */
function seccompListenerJson(c: Config): string {
  const s = c.linux.seccomp;
  if (!s || !c.process.present || !usesNotify(s)) return "";
  return ",\"seccompListener\":{\"path\":" + quote(s.listenerPath) + ",\"metadata\":" + quote(s.listenerMetadata) + "}";
}

function answer(req: Request): Verdict {
  const d = new Diagnostics();
  const src = req.config;
  if (src.length > MAX_CONFIG_BYTES) {
    d.error(E_TOO_LARGE, "", "config.json is " + src.length.toString() + " bytes; the limit is " + MAX_CONFIG_BYTES.toString());
    return invalid(d);
  }
  const parsed = parseJson(src);
  if (parsed.error) {
    const err = parsed.error!;
    const lc = lineColumn(src, err.offset);
    d.error(E_JSON_SYNTAX, "", "config.json is not valid JSON: line " + lc[0].toString() + ", column " + lc[1].toString() + ": " + err.message);
    return invalid(d);
  }
  // exec: config.json's process, changed as the command line or the --process file says.
  if (req.op == "exec") execConfigTree(parsed.value!, req, d);
  const config = parseConfig(parsed.value!, d);
  // The disassembly costs time at every create: only when asked for (`text 1`).
  const w = new PlanWriter((req.op == "plan" || req.op == "exec") && req.text);
  // Planning runs even on an invalid config, so every error is reported at once.
  if (req.op == "exec") planExecProcess(config, req, w, d);
  else planInit(config, req, w, d);
  const cgroup: CgroupPlan | null = req.cgroup == "none" || req.op == "exec" ? null : planCgroup(config, req, d);
  if (d.hasErrors()) return invalid(d);
  const v = new Verdict(true);
  v.sectionText("diagnostics", diagnosticsJson(d.list));
  v.sectionText("container", containerJson(config, req));
  v.section(req.op == "exec" ? "exec" : "init", w.finish());
  if ((req.op == "plan" || req.op == "exec") && req.text) v.sectionText("text", w.text());
  if (req.op == "plan") v.sectionText("hooks", hooksJson(config.hooks));
  if (req.op == "plan" && cgroup) v.sectionText("cgroup", cgroupJson(cgroup));
  if (req.op == "plan") v.sectionText("criu", criuJson(config, req));
  return v;
}

function invalid(d: Diagnostics): Verdict {
  const v = new Verdict(false);
  v.sectionText("diagnostics", diagnosticsJson(d.list));
  return v;
}

const req = parseRequest(readStdin());
if (req.error.length > 0) {
  writeString(2, "ocirun core: " + req.error + "\n");
  exit(2);
} else if (req.op == "features") {
  // The config is not read: features describe the runtime, not a container.
  const v = new Verdict(true);
  v.sectionText("diagnostics", "[]");
  v.sectionText("features", featuresJson());
  writeBytes(1, v.bytes());
} else if (req.op == "update") {
  writeBytes(1, answerUpdate(req).bytes());
} else {
  writeBytes(1, answer(req).bytes());
}
