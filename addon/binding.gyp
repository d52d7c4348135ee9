{
  "targets": [
    {
      "target_name": "ocirun",
      "sources": [
        "src/napi_surface.cc",
        "src/spawn_init.cc",
        "src/plan_reader.cc",
        "src/exec_plan.cc",
        "src/rootfs_ops.cc",
        "src/mount_attr_ops.cc",
        "src/idmap_tree.cc",
        "src/net_device.cc",
        "src/in_root.cc",
        "src/sync_msg.cc",
        "src/process_ops.cc",
        "src/console.cc",
        "src/init_program.cc",
        "src/fd_from_child.cc",
        "src/notify_socket.cc",
        "src/tmpcopyup.cc",
        "src/proc_title.cc",
        "src/device_program.cc",
        "src/cgroup_holder.cc",
        "src/hook_runner.cc",
        "src/exec_fifo.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O3"],
      "cflags": ["-O2"]
    }
  ]
}
