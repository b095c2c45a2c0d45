// testworker: a worker program for sup's tests, whose behaviour the command line chooses.
//
//   testworker [options]
//     --print-every MS       print "tick N" to stdout every MS (default: stay quiet)
//     --exit-after MS        exit after MS with --exit-code (default 0)
//     --exit-code N
//     --crash-after MS       die with an access violation after MS
//     --grandchild FILE      start a copy of itself (that runs forever) and write its pid to FILE
//     --pid-file FILE        write own pid to FILE at start
//     --stop-event-code N    exit with N when the event named by SUP_STOP_EVENT is signalled
//     --ignore-stop          ignore Ctrl+C, Ctrl+Break, WM_CLOSE, WM_QUIT and the stop event,
//                            printing "ignored ctrl-c", "ignored close", ... for each
//     --window               run a message loop with a top-level window, printing "window ready"
//     once
//                            it exists; WM_QUIT exits with 3 after a WM_CLOSE, with 4 without one
//     --ctrl-c-code N        exit with N on Ctrl+C (default: the system's default handling)
//     --http PORT            serve GET / on 127.0.0.1:PORT: 200, or 503 while FILE in
//     --fail-file FILE       exists
//     --http-endless         with --http: answer a status line, then a header that never ends
//     --try-open PID         try to open process PID for each right a worker must not have on
//                            supd or another worker, and print "open PID terminate=granted
//                            vm-read=denied create-process=denied" (the first line it prints)
//     --print-env NAME       print "env NAME=<value>" (first, with --print-desktop and --try-open)
//     --print-desktop        print "desktop <window station>\<desktop>" it runs on
//     --print-place          print "cwd <current folder>" and "priority 0x<priority class>"
//     --flood N              print N numbered lines to stdout and to stderr as fast as possible,
//     then exit 0
//     --line-bytes N         length of each flood line (default 100)
//     --exit-with-console-state   exit at once: 1 if the process has a console, 0 if not
//     --free-console         leave its console at once (supd then cannot attach to send Ctrl+C)
//     --exit-if-exists FILE  exit at once: 1 if FILE exists, 0 if not (an exec probe's command)
//     --serve-pipe NAME      serve \\.\pipe\NAME: accept each client and hang up (a pipe probe's
//     target)
//     --signal-event NAME    set the named event (made by whoever waits for it) once started
//     --print-hex HEX        write these bytes to stdout at start ("636166e90a": "caf\xE9\n", a
//                            line in code page 1252), then go on as the other options say
//     --touch-mb N           allocate N MiB and write every page (in its working set), keep it
//     --busy-ms N            keep one CPU busy for N ms at start
//     --notify LINES         after the lines --print-env asks for, write LINES (a "\n" in them
//                            ends a line) to the notify pipe (SUP_NOTIFY_PIPE) at once, through
//                            sdk/sup_notify.h compiled as C; repeatable; prints "notify: <result>"
//                            (0: written)
//     --beat MS              write WATCHDOG=1 every MS through sdk/sup_notify.h (from C++)
//
// Without --exit-after, --crash-after or --flood it runs until stopped.
#include <winsock2.h>
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "sdk/sup_notify.h"

extern "C" int testworker_notify_from_c(const char* lines);

namespace {

struct Options {
  int print_every_ms = 0;
  int exit_after_ms = -1;
  int exit_code = 0;
  int crash_after_ms = -1;
  std::string grandchild_file;
  std::string pid_file;
  int stop_event_code = -1;
  bool ignore_stop = false;
  bool window = false;
  int ctrl_c_code = -1;
  int http_port = 0;
  std::string fail_file;
  long long flood_lines = -1;
  int line_bytes = 100;
  bool http_endless = false;
  std::vector<std::string> notify;
  int beat_ms = 0;
  std::string signal_event;
  std::string serve_pipe;
  std::string print_hex;
  int touch_mb = 0;  // allocate and write this much memory, then keep it
  int busy_ms = 0;   // use one CPU for this long at start
  std::vector<DWORD> try_open;
  bool print_desktop = false;
  bool print_place = false;
  std::vector<std::string> print_env;
};

Options g_options;

void WriteFileText(const std::string& path, const std::string& text) {
  if (FILE* file = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }
}

void Say(const char* line) {
  std::printf("%s\n", line);
  std::fflush(stdout);
}

// Where and how it runs: "cwd <current folder>" and "priority 0x<priority class>".
void PrintPlace() {
  char folder[MAX_PATH] = "?";
  ::GetCurrentDirectoryA(sizeof(folder), folder);
  std::printf("cwd %s\npriority 0x%lx\n", folder,
              static_cast<unsigned long>(::GetPriorityClass(::GetCurrentProcess())));
  std::fflush(stdout);
}

void PrintDesktop() {
  const auto name = [](HANDLE object) {
    char text[256] = "?";
    DWORD length = 0;
    ::GetUserObjectInformationA(object, UOI_NAME, text, sizeof(text), &length);
    return std::string(text);
  };
  std::printf("desktop %s\\%s\n", name(::GetProcessWindowStation()).c_str(),
              name(::GetThreadDesktop(::GetCurrentThreadId())).c_str());
  std::fflush(stdout);
}

// What this process may do to process `pid`: one word per right.
void TryOpen(DWORD pid) {
  const auto right = [pid](DWORD access) {
    HANDLE process = ::OpenProcess(access, FALSE, pid);
    if (!process) return "denied";
    ::CloseHandle(process);
    return "granted";
  };
  std::printf("open %lu terminate=%s vm-read=%s create-process=%s\n", pid, right(PROCESS_TERMINATE),
              right(PROCESS_VM_READ), right(PROCESS_CREATE_PROCESS));
  std::fflush(stdout);
}

BOOL WINAPI OnConsoleControl(DWORD type) {
  if (g_options.ignore_stop) {
    Say(type == CTRL_C_EVENT ? "ignored ctrl-c" : "ignored ctrl-break");
    return TRUE;
  }
  if (type == CTRL_C_EVENT && g_options.ctrl_c_code >= 0) {
    std::printf("ctrl-c received\n");
    std::fflush(stdout);
    ::ExitProcess(static_cast<UINT>(g_options.ctrl_c_code));
  }
  return FALSE;
}

// Whether WM_CLOSE reached the window: the exit code tells a test which message ended the worker.
bool g_window_closed = false;

LRESULT CALLBACK WindowProc(HWND window, UINT message, WPARAM w, LPARAM l) {
  if (message == WM_CLOSE) {
    if (g_options.ignore_stop) {
      Say("ignored close");
      return 0;
    }
    g_window_closed = true;
    ::PostQuitMessage(3);
    return 0;
  }
  return ::DefWindowProcW(window, message, w, l);
}

// Calls `then` on a thread of its own once the event named by SUP_STOP_EVENT is signalled.
void OnStopEvent(void (*then)()) {
  std::thread([then] {
    char name[256] = {};
    if (!::GetEnvironmentVariableA("SUP_STOP_EVENT", name, sizeof(name))) return;
    HANDLE event = ::OpenEventA(SYNCHRONIZE, FALSE, name);
    if (!event) return;
    ::WaitForSingleObject(event, INFINITE);
    then();
  }).detach();
}

int RunWindow() {
  WNDCLASSW window_class{};
  window_class.lpfnWndProc = WindowProc;
  window_class.hInstance = ::GetModuleHandleW(nullptr);
  window_class.lpszClassName = L"SupTestWorker";
  ::RegisterClassW(&window_class);
  HWND window = ::CreateWindowExW(0, L"SupTestWorker", L"sup test worker", WS_OVERLAPPEDWINDOW, 0,
                                  0, 100, 100, nullptr, nullptr, window_class.hInstance, nullptr);
  if (!window) {
    std::fprintf(stderr, "testworker: CreateWindowExW failed: %lu\n", ::GetLastError());
    return 90;
  }
  Say("window ready");
  MSG message;
  while (true) {
    const BOOL got = ::GetMessageW(&message, nullptr, 0, 0);
    if (got == 0 && g_options.ignore_stop) {
      Say("ignored quit");  // the close step's WM_QUIT to the thread, after WM_CLOSE to the window
      continue;
    }
    if (got == 0) return g_window_closed ? 3 : 4;  // WM_QUIT, after WM_CLOSE to the window or not
    if (got < 0) return 91;
    ::TranslateMessage(&message);
    ::DispatchMessageW(&message);
  }
}

void ServeHttp(int port) {
  WSADATA data;
  ::WSAStartup(MAKEWORD(2, 2), &data);
  SOCKET listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = ::htons(static_cast<u_short>(port));
  address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener, 16) != 0) {
    std::fprintf(stderr, "cannot listen on port %d\n", port);
    std::exit(92);
  }
  while (true) {
    SOCKET client = ::accept(listener, nullptr, nullptr);
    if (client == INVALID_SOCKET) continue;
    char request[1024];
    ::recv(client, request, sizeof(request), 0);
    if (g_options.http_endless) {
      // A status line, then one header that never ends, for as long as the client reads.
      std::thread([client] {
        const char* head = "HTTP/1.1 200 OK\r\nX-Endless: ";
        ::send(client, head, static_cast<int>(std::strlen(head)), 0);
        const std::string chunk(64 * 1024, 'x');
        while (::send(client, chunk.data(), static_cast<int>(chunk.size()), 0) > 0) {
        }
        ::closesocket(client);
      }).detach();
      continue;
    }
    const bool failing =
        !g_options.fail_file.empty() &&
        ::GetFileAttributesA(g_options.fail_file.c_str()) != INVALID_FILE_ATTRIBUTES;
    const char* reply = failing
                            ? "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nfail"
                            : "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    ::send(client, reply, static_cast<int>(std::strlen(reply)), 0);
    ::shutdown(client, SD_BOTH);
    ::closesocket(client);
  }
}

void StartGrandchild(const std::string& pid_file) {
  wchar_t self[MAX_PATH];
  ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring command = L"\"" + std::wstring(self) + L"\" --ignore-stop";
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                        &startup, &info)) {
    std::fprintf(stderr, "cannot start the grandchild: %lu\n", ::GetLastError());
    std::exit(93);
  }
  WriteFileText(pid_file, std::to_string(info.dwProcessId));
  ::CloseHandle(info.hThread);
  ::CloseHandle(info.hProcess);
}

// One flooded stream: lines of exactly `line_bytes` ("out 000000000042 xxx...x\n") gathered into
// 64 KB blocks, each written with one WriteFile, like a program with a buffered stdout. It does
// not use stdio: Wine's msvcrt costs about 40 us a line, which would make this writer, not the
// capture being tested or measured, the bottleneck.
class FloodStream {
 public:
  FloodStream(DWORD which, const char* prefix, int line_bytes)
      : handle_(::GetStdHandle(which)),
        prefix_(prefix),
        padding_(std::max(line_bytes - 18, 1), 'x') {}
  ~FloodStream() { Flush(); }

  void Line(long long number) {
    char head[32];
    const int length = std::snprintf(head, sizeof(head), "%s %012lld ", prefix_, number);
    block_.append(head, static_cast<std::size_t>(length)).append(padding_).push_back('\n');
    if (block_.size() >= 64 * 1024) Flush();
  }

  void Flush() {
    DWORD written = 0;
    if (!block_.empty())
      ::WriteFile(handle_, block_.data(), static_cast<DWORD>(block_.size()), &written, nullptr);
    block_.clear();
  }

 private:
  HANDLE handle_;
  const char* prefix_;
  std::string padding_;
  std::string block_;
};

void Flood(long long lines, int line_bytes) {
  FloodStream out(STD_OUTPUT_HANDLE, "out", line_bytes);
  FloodStream err(STD_ERROR_HANDLE, "err", line_bytes);
  for (long long i = 0; i < lines; ++i) {
    out.Line(i);
    err.Line(i);
  }
}

int Int(const char* text) { return std::atoi(text); }

// One pipe instance, reused: each client is accepted and hung up on.
void ServePipe(const std::string& name) {
  const std::string path = "\\\\.\\pipe\\" + name;
  HANDLE pipe = ::CreateNamedPipeA(path.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1,
                                   4096, 4096, 0, nullptr);
  if (pipe == INVALID_HANDLE_VALUE) {
    std::fprintf(stderr, "testworker: CreateNamedPipeA %s failed: %lu\n", path.c_str(),
                 ::GetLastError());
    std::exit(92);
  }
  while (true) {
    // Returns once a client came (or came and went already); either way the instance is freed.
    ::ConnectNamedPipe(pipe, nullptr);
    ::DisconnectNamedPipe(pipe);
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    auto takes = [&] { ++i; };
    if (arg == "--print-every") {
      g_options.print_every_ms = Int(value);
      takes();
    } else if (arg == "--exit-after") {
      g_options.exit_after_ms = Int(value);
      takes();
    } else if (arg == "--exit-code") {
      g_options.exit_code = Int(value);
      takes();
    } else if (arg == "--crash-after") {
      g_options.crash_after_ms = Int(value);
      takes();
    } else if (arg == "--grandchild") {
      g_options.grandchild_file = value;
      takes();
    } else if (arg == "--pid-file") {
      g_options.pid_file = value;
      takes();
    } else if (arg == "--stop-event-code") {
      g_options.stop_event_code = Int(value);
      takes();
    } else if (arg == "--ignore-stop") {
      g_options.ignore_stop = true;
    } else if (arg == "--window") {
      g_options.window = true;
    } else if (arg == "--http-endless") {
      g_options.http_endless = true;
    } else if (arg == "--ctrl-c-code") {
      g_options.ctrl_c_code = Int(value);
      takes();
    } else if (arg == "--http") {
      g_options.http_port = Int(value);
      takes();
    } else if (arg == "--fail-file") {
      g_options.fail_file = value;
      takes();
    } else if (arg == "--flood") {
      g_options.flood_lines = std::atoll(value);
      takes();
    } else if (arg == "--line-bytes") {
      g_options.line_bytes = Int(value);
      takes();
    } else if (arg == "--signal-event") {
      g_options.signal_event = value;
      takes();
    } else if (arg == "--exit-if-exists") {
      return ::GetFileAttributesA(value) != INVALID_FILE_ATTRIBUTES ? 1 : 0;
    } else if (arg == "--print-hex") {
      g_options.print_hex = value;
      takes();
    } else if (arg == "--serve-pipe") {
      g_options.serve_pipe = value;
      takes();
    } else if (arg == "--touch-mb") {
      g_options.touch_mb = std::stoi(value);
      takes();
    } else if (arg == "--busy-ms") {
      g_options.busy_ms = std::stoi(value);
      takes();
    } else if (arg == "--print-env") {
      g_options.print_env.push_back(value);
      takes();
    } else if (arg == "--notify") {
      g_options.notify.push_back(value);
      takes();
    } else if (arg == "--beat") {
      g_options.beat_ms = Int(value);
      takes();
    } else if (arg == "--print-desktop") {
      g_options.print_desktop = true;
    } else if (arg == "--print-place") {
      g_options.print_place = true;
    } else if (arg == "--try-open") {
      g_options.try_open.push_back(static_cast<DWORD>(std::stoul(value)));
      takes();
    } else if (arg == "--free-console") {
      ::FreeConsole();
    } else if (arg == "--exit-with-console-state") {
      return ::GetConsoleCP() != 0 ? 1 : 0;
    }  // no console: fails, 0
    else {
      std::fprintf(stderr, "testworker: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  ::SetConsoleCtrlHandler(OnConsoleControl, TRUE);
  for (const std::string& name : g_options.print_env) {
    const char* value = std::getenv(name.c_str());
    std::printf("env %s=%s\n", name.c_str(), value ? value : "");
    std::fflush(stdout);
  }
  for (std::string lines : g_options.notify) {
    for (std::size_t at; (at = lines.find("\\n")) != std::string::npos;) lines.replace(at, 2, "\n");
    std::printf("notify: %d\n", testworker_notify_from_c(lines.c_str()));
    std::fflush(stdout);
  }
  if (g_options.beat_ms > 0) {
    std::thread([] {
      while (true) {
        sup_notify("WATCHDOG=1");
        ::Sleep(static_cast<DWORD>(g_options.beat_ms));
      }
    }).detach();
  }
  if (g_options.print_desktop) PrintDesktop();
  if (g_options.print_place) PrintPlace();
  for (const DWORD pid : g_options.try_open) TryOpen(pid);
  if (!g_options.pid_file.empty())
    WriteFileText(g_options.pid_file, std::to_string(::GetCurrentProcessId()));
  if (!g_options.grandchild_file.empty()) StartGrandchild(g_options.grandchild_file);
  if (!g_options.signal_event.empty()) {
    if (HANDLE started = ::OpenEventA(EVENT_MODIFY_STATE, FALSE, g_options.signal_event.c_str())) {
      ::SetEvent(started);
      ::CloseHandle(started);
    }
  }
  if (!g_options.print_hex.empty()) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < g_options.print_hex.size(); i += 2)
      bytes += static_cast<char>(std::stoi(g_options.print_hex.substr(i, 2), nullptr, 16));
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
  }
  if (g_options.touch_mb > 0) {
    // Written page by page, so it is in the working set, not only reserved.
    static std::vector<char> memory(static_cast<std::size_t>(g_options.touch_mb) << 20);
    for (std::size_t i = 0; i < memory.size(); i += 4096) memory[i] = 1;
  }
  if (g_options.busy_ms > 0) {
    const ULONGLONG until = ::GetTickCount64() + static_cast<ULONGLONG>(g_options.busy_ms);
    volatile unsigned spins = 0;
    while (::GetTickCount64() < until) spins = spins + 1;
  }
  if (g_options.flood_lines >= 0) {
    Flood(g_options.flood_lines, g_options.line_bytes);
    return 0;
  }
  if (g_options.http_port) std::thread(ServeHttp, g_options.http_port).detach();
  if (!g_options.serve_pipe.empty()) std::thread(ServePipe, g_options.serve_pipe).detach();
  if (g_options.exit_after_ms >= 0) {
    std::thread([] {
      ::Sleep(static_cast<DWORD>(g_options.exit_after_ms));
      std::fflush(stdout);
      ::ExitProcess(static_cast<UINT>(g_options.exit_code));
    }).detach();
  }
  if (g_options.crash_after_ms >= 0) {
    std::thread([] {
      ::Sleep(static_cast<DWORD>(g_options.crash_after_ms));
      volatile int* null_pointer = nullptr;
      *null_pointer = 1;  // access violation: exit code 0xC0000005
    }).detach();
  }
  if (g_options.ignore_stop) OnStopEvent([] { Say("ignored stop event"); });  // and goes on running
  if (g_options.stop_event_code >= 0) {
    OnStopEvent([] {
      Say("stop event received");
      ::ExitProcess(static_cast<UINT>(g_options.stop_event_code));
    });
  }
  if (g_options.window) return RunWindow();
  for (long long tick = 0;; ++tick) {
    if (g_options.print_every_ms > 0) {
      std::printf("tick %lld\n", tick);
      std::fflush(stdout);
      ::Sleep(static_cast<DWORD>(g_options.print_every_ms));
    } else {
      ::Sleep(INFINITE);
    }
  }
}
