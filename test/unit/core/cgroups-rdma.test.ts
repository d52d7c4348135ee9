// linux.resources.rdma → rdma.max lines.
import { test } from "uvu";
import { cgroupTable } from "../../util/cgroup";

cgroupTable([
  { name: "handles and objects", resources: { rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 1000 } } },
    v1: ["rdma/rdma.max = mlx5_1 hca_handle=3 hca_object=10000", "rdma/rdma.max = mlx4_0 hca_object=1000"],
    v2: ["rdma.max = mlx5_1 hca_handle=3 hca_object=10000", "rdma.max = mlx4_0 hca_object=1000"] },
  { name: "no limits, no write", resources: { rdma: { mlx5_1: {} } }, v1: [], v2: [] },
  { name: "negative handles", resources: { rdma: { mlx5_1: { hcaHandles: -1 } } }, errorAt: ["/linux/resources/rdma/mlx5_1/hcaHandles"] },
  { name: "device not an object", resources: { rdma: { mlx5_1: 3 } }, errorAt: ["/linux/resources/rdma/mlx5_1"] },
  { name: "device name with a space", resources: { rdma: { "mlx 1": { hcaHandles: 1 } } }, errorAt: ["/linux/resources/rdma/mlx 1"] },
]);

test.run();
