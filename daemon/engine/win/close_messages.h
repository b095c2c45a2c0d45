// The close stop step: WM_CLOSE to every top-level window of a job's processes and WM_QUIT to
// each of their threads, what a GUI worker or a bare message loop understands as "please exit".
// Posted, never sent: nothing here waits on the worker. Runs on the io thread.
#pragma once

#include <windows.h>

namespace sup::win {

// `desktop`: the desktop the job's processes run on (WorkerDesktop), whose windows are the ones
// enumerated; null: this process's own.
void PostCloseMessages(HANDLE job, HDESK desktop);

}  // namespace sup::win
