// linux.resources.hugepageLimits → hugetlb.<size>.* (and the .rsvd. counters where they exist).
import { test } from "uvu";
import { cgroupTable } from "../../util/cgroup";

const H = "/linux/resources/hugepageLimits";

cgroupTable([
  { name: "2MB and 1GB", resources: { hugepageLimits: [{ pageSize: "2MB", limit: 209715200 }, { pageSize: "1GB", limit: 0 }] },
    v1: ["hugetlb/hugetlb.2MB.limit_in_bytes = 209715200", "hugetlb/hugetlb.2MB.rsvd.limit_in_bytes ?= 209715200",
      "hugetlb/hugetlb.1GB.limit_in_bytes = 0", "hugetlb/hugetlb.1GB.rsvd.limit_in_bytes ?= 0"],
    v2: ["hugetlb.2MB.max = 209715200", "hugetlb.2MB.rsvd.max ?= 209715200", "hugetlb.1GB.max = 0", "hugetlb.1GB.rsvd.max ?= 0"] },
  { name: "64KB", resources: { hugepageLimits: [{ pageSize: "64KB", limit: 65536 }] }, v2: ["hugetlb.64KB.max = 65536", "hugetlb.64KB.rsvd.max ?= 65536"] },
  { name: "3MB is no page size", resources: { hugepageLimits: [{ pageSize: "3MB", limit: 1 }] }, errorAt: [`${H}/0/pageSize`] },
  { name: "1024KB is spelled 1MB", resources: { hugepageLimits: [{ pageSize: "1024KB", limit: 1 }] }, errorAt: [`${H}/0/pageSize`] },
  { name: "lower case unit", resources: { hugepageLimits: [{ pageSize: "2mb", limit: 1 }] }, errorAt: [`${H}/0/pageSize`] },
  { name: "no number", resources: { hugepageLimits: [{ pageSize: "MB", limit: 1 }] }, errorAt: [`${H}/0/pageSize`] },
  { name: "leading zero", resources: { hugepageLimits: [{ pageSize: "02MB", limit: 1 }] }, errorAt: [`${H}/0/pageSize`] },
  { name: "limit required", resources: { hugepageLimits: [{ pageSize: "2MB" }] }, errorAt: [`${H}/0/limit`] },
  { name: "negative limit", resources: { hugepageLimits: [{ pageSize: "2MB", limit: -1 }] }, errorAt: [`${H}/0/limit`] },
]);

test.run();
