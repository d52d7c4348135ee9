{
  "variables": {
    # The wasm2c runtime's configuration, the same for every file that includes wasm-rt.h:
    # memory accesses bounds-checked in code and calls counted, never a signal handler or guard
    # pages (Bun and Node own SIGSEGV in this process). 2000 calls deep is about five times what
    # the deepest request needs (JSON nested to the core's parser limit), under 1 MB of stack.
    "wasm_rt_config": [
      "WASM_RT_MEMCHECK_SIGNAL_HANDLER=0",
      "WASM_RT_SKIP_SIGNAL_RECOVERY=1",
      "WASM_RT_USE_STACK_DEPTH_COUNT=1",
      "WASM_RT_MAX_CALL_STACK_DEPTH=2000"
    ]
  },
  "targets": [
    {
      "target_name": "ocirun",
      "sources": [
        "src/napi_surface.cc",
        "src/core_native.cc",
        "src/core_memory.cc",
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
        "src/exec_fifo.cc",
        "src/file_calls.cc",
        "src/foreground_wait.cc"
      ],
      "dependencies": ["core_c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-fvisibility=hidden"],
      "cflags_cc": ["-fvisibility-inlines-hidden"],
      "ldflags": ["-static-libstdc++", "-static-libgcc", "-Wl,--as-needed", "-Wl,-O1"]
    },
    {
      # core.wasm translated to C (scripts/build-core-c.mjs), for src/core_native.cc. Its linear
      # memory is src/core_memory.cc's rather than wasm-rt-impl.c's calloc/realloc (that file
      # says why). The comma expressions and unused helpers warned about are wasm2c's.
      "target_name": "core_c",
      "type": "static_library",
      "sources": ["gen/core.c"],
      "dependencies": ["wasm_rt"],
      "defines": [
        "<@(wasm_rt_config)",
        "wasm_rt_allocate_memory=core_memory_allocate",
        "wasm_rt_grow_memory=core_memory_grow",
        "wasm_rt_free_memory=core_memory_free"
      ],
      "direct_dependent_settings": {"include_dirs": ["gen"], "defines": ["<@(wasm_rt_config)"]},
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-fvisibility=hidden", "-Wno-unused-function", "-Wno-unused-value"]
    },
    {
      # wabt's runtime for the generated code (traps, function types, tables), as wabt ships it.
      "target_name": "wasm_rt",
      "type": "static_library",
      "sources": ["gen/wasm-rt-impl.c"],
      "defines": ["<@(wasm_rt_config)"],
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-fvisibility=hidden", "-Wno-unused-function"]
    }
  ]
}
