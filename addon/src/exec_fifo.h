// `start`'s side of exec.fifo: release the waiting init, then wait until it has exec'd the
// user's process or failed on the way (a startContainer hook, a late op), and say which.
#pragma once
#include <string>

struct StartOutcome {
  int err = 0;            // opening or polling the fifo failed: the errno (ENOENT: no fifo)
  bool gone = false;      // the init exited before it read the start byte
  int kind = 0;           // 0: the user's process was exec'd; SYNC_ERROR or SYNC_HOOK_FAILED
  int op = 0, op_err = 0, value = 0;  // the failure record's fields (sync_msg.h)
  std::string out, errs;  // SYNC_HOOK_FAILED: the tails of the hook's stdout and stderr
};

StartOutcome start_through_fifo(const char* path);
