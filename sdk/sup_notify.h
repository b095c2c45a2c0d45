/* sup_notify.h: tell sup (supd) how your program is doing, from C or C++ on Windows.
 *
 * Under sup, each process a worker starts finds the name of its notify pipe in the environment
 * variable SUP_NOTIFY_PIPE. sup_notify() writes one or more lines to it:
 *
 *   sup_notify("READY=1");                  // with Notify=1: the worker is ready (RUNNING)
 *   sup_notify("WATCHDOG=1");               // with WatchdogMs: still alive
 *   sup_notify("STATUS=42 jobs done");      // shown by supctl status and describe
 *   sup_notify("STOPPING=1");               // shutting down: no more WATCHDOG=1 expected
 *   sup_notify("READY=1\nSTATUS=serving");  // several at once
 *
 * It returns 0 when the lines were written, SUP_NOTIFY_NOT_SUPERVISED (-1) when the program does
 * not run under sup (no SUP_NOTIFY_PIPE: nothing to do, not an error), or the Windows error code
 * that stopped it. It waits at most about a second for the pipe. Only a process in the worker's
 * job may write: its children may, other programs may not.
 *
 * Header-only, C99 and C++, no dependencies beyond <windows.h>. Include it where you use it.
 * The lines are those of sup's notify protocol (docs: README, "Workers that say they are ready");
 * a line is at most 4096 bytes.
 */
#ifndef SUP_NOTIFY_H
#define SUP_NOTIFY_H

#include <string.h>
#include <windows.h>

#define SUP_NOTIFY_NOT_SUPERVISED (-1)

static inline int sup_notify(const char* lines) {
  char pipe_name[512];
  DWORD length = GetEnvironmentVariableA("SUP_NOTIFY_PIPE", pipe_name, sizeof(pipe_name));
  HANDLE pipe;
  DWORD written = 0;
  DWORD size = (DWORD)strlen(lines);
  int attempt;
  int result = 0;
  if (length == 0 || length >= sizeof(pipe_name)) return SUP_NOTIFY_NOT_SUPERVISED;
  for (attempt = 0;; ++attempt) {
    pipe = CreateFileA(pipe_name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (pipe != INVALID_HANDLE_VALUE) break;
    /* Every instance busy with another client of the same worker: wait for one. */
    if (GetLastError() != ERROR_PIPE_BUSY || attempt == 1) return (int)GetLastError();
    if (!WaitNamedPipeA(pipe_name, 1000)) return (int)GetLastError();
  }
  if (!WriteFile(pipe, lines, size, &written, NULL) || written != size) {
    result = (int)GetLastError();
  } else if (size == 0 || lines[size - 1] != '\n') {
    if (!WriteFile(pipe, "\n", 1, &written, NULL)) result = (int)GetLastError();
  }
  CloseHandle(pipe);
  return result;
}

#endif /* SUP_NOTIFY_H */
