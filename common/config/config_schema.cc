#include "common/config/config_schema.h"

#include "common/config/schema_rows.h"
#include "common/frame_codec.h"
#include "common/pipe_names.h"

namespace sup::config {
namespace {

using namespace schema_rows;
using DaemonRow = SchemaValue<DaemonConfig>;
using ProbeRow = SchemaValue<ProbeConfig>;

const DaemonRow kDaemonSchema[] = {
    {.name = "ControlPipe",
     .kind = ValueKind::kString,
     .default_text = "sup-control",
     .min = 1,
     .max = kMaxServedPipeNameChars,
     .description =
         "Name of the control pipe, \\\\.\\pipe\\<name> (no backslash; not HealthPipe's).",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.control_pipe = AsString(v); }},
    {.name = "HealthPipe",
     .kind = ValueKind::kString,
     .default_text = "sup-health",
     .min = 1,
     .max = kMaxServedPipeNameChars,
     .description = "Name of the health pipe, \\\\.\\pipe\\<name>.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.health_pipe = AsString(v); }},
    {.name = "LogDirectory",
     .kind = ValueKind::kString,
     .default_text = "%ProgramData%\\Sup\\logs",
     .min = 1,
     .max = 260,
     .description = "Folder of supd's own log and of the workers' default log files.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.log_directory = AsString(v); }},
    {.name = "LogLevel",
     .kind = ValueKind::kChoice,
     .default_text = "info",
     .choices = kLogLevelNames,
     .description = "Least severe level supd logs.",
     .apply = [](DaemonConfig& c,
                 const ParsedValue& v) { c.log_level = kLogLevelNames[AsNumber(v)]; }},
    {.name = "OperatorsGroup",
     .kind = ValueKind::kString,
     .max = 256,
     .description =
         "Group whose members may read status and start, stop and restart workers (empty: only "
         "SYSTEM "
         "and Administrators). Applies on reload; one that cannot be resolved is tried again every "
         "minute, only administrators acting meanwhile.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.operators_group = AsString(v); }},
    {.name = "AutoReload",
     .kind = ValueKind::kBool,
     .default_text = "1",
     .max = 1,
     .description = "1: a change under this key applies by itself within a second. 0: it applies "
                    "only on `supctl "
                    "update`, "
                    "`sc control supd paramchange` or control 128 (`supctl reread` shows what is "
                    "waiting). Read "
                    "at every change.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.auto_reload = AsBool(v); }},
    {.name = "SelfCheckMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 1000,
     .max = kHourMs,
     .description =
         "supd watches its own supervision: when it has not answered for this long (a bug, a call "
         "that blocks), the health pipe and /healthz answer NOT_SERVING saying so, supd's log and "
         "the "
         "event log say it once, and SelfRestart decides what follows. Applies on reload.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.self_check_ms = AsNumber(v); }},
    {.name = "SelfRestart",
     .kind = ValueKind::kBool,
     .default_text = "0",
     .max = 1,
     .description =
         "1: supd whose supervision has not answered for SelfCheckMs ends with service-specific "
         "exit "
         "code 4, so that the service's failure actions start it again (its workers end with it). "
         "0: "
         "it only says so, and serves again if supervision comes back. Applies on reload.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.self_restart = AsBool(v); }},
    {.name = "MaxFrameBytes",
     .kind = ValueKind::kUint,
     .default_text = "1048576",
     .min = 4096,
     .max = kLargestMaxFrameBytes,
     .description = "Largest request or reply on the pipes; a longer length prefix closes that "
                    "connection. Read "
                    "at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.max_frame_bytes = AsNumber(v); }},
    {.name = "PipeInstances",
     .kind = ValueKind::kUint,
     .default_text = "32",
     .min = 2,
     .max = 254,
     .description =
         "Clients each pipe serves at once; more wait for a free instance. One account may hold a "
         "quarter of them; on the control pipe an eighth are kept for administrators. Read at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.pipe_instances = AsNumber(v); }},
    {.name = "MaxStreams",
     .kind = ValueKind::kUint,
     .default_text = "64",
     .min = 1,
     .max = 1024,
     .description =
         "Open follow streams (logs -f, events -f, health watches) per pipe. Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.max_streams = AsNumber(v); }},
    {.name = "RequestDeadlineMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "A client that connects must send each complete request within this long, or "
                    "is disconnected. "
                    "Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.request_deadline_ms = AsNumber(v); }},
    {.name = "WriteDeadlineMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "A client that stops reading what supd sends it (a stalled follower) is "
                    "disconnected after "
                    "this long. "
                    "Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.write_deadline_ms = AsNumber(v); }},
    {.name = "MetricsTextfile",
     .kind = ValueKind::kString,
     .max = 260,
     .description =
         "Prometheus metrics file for windows_exporter's textfile collector (e.g. C:\\Program "
         "Files\\windows_exporter\\textfile_inputs\\sup.prom), replaced whole on every state "
         "change "
         "(at most once a second), every MetricsIntervalMs and when supd stops; empty: none. Read "
         "at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.metrics_textfile = AsString(v); }},
    {.name = "HttpListen",
     .kind = ValueKind::kString,
     .max = 64,
     .description =
         "Numeric address and port of the HTTP endpoint for load balancers and monitors, e.g. "
         "127.0.0.1:9182: GET /metrics (Prometheus), /healthz (200 when every worker serves, else "
         "503) and /healthz/<worker>. No authentication: anything but a loopback address lets the "
         "network read them. A request must name localhost or this address as its Host. A port "
         "that "
         "is taken is tried again until it is free (supctl status says so). Empty: off. Read at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.http_listen = AsString(v); }},
    {.name = "MetricsIntervalMs",
     .kind = ValueKind::kUint,
     .default_text = "15000",
     .min = 1000,
     .max = kHourMs,
     .description =
         "How often MetricsTextfile is rewritten (with fresh resource figures) when nothing "
         "changes, "
         "and how long the HTTP endpoint's /metrics serves the same rendering. Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.metrics_interval_ms = AsNumber(v); }},
};

const ProbeRow kProbeSchema[] = {
    {.name = "Type",
     .kind = ValueKind::kChoice,
     .required = true,
     .choices = kProbeTypeNames,
     .description = "tcp (connect), http (GET, 200-399), exec (exit code 0) or pipe (connect to a "
                    "named pipe).",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.type = AsChoice<ProbeType>(v); }},
    {.name = "Target",
     .kind = ValueKind::kString,
     .required = true,
     .min = 1,
     .max = 2048,
     .description =
         "By Type: tcp host:port; http http://host[:port][/path]; exec a command line (a spaced "
         "program path "
         "quoted); pipe the name in \\\\.\\pipe\\<name>. Checked when the configuration is read.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.target = AsString(v); }},
    {.name = "InitialDelayMs",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = kHourMs,
     .description = "Delay before the first probe.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.initial_delay = AsMillis(v); }},
    {.name = "PeriodMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "Time between probes.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.period = AsMillis(v); }},
    {.name = "TimeoutMs",
     .kind = ValueKind::kUint,
     .default_text = "1000",
     .min = 1,
     .max = kHourMs,
     .description = "Time after which one probe counts as failed.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.timeout = AsMillis(v); }},
    {.name = "SuccessThreshold",
     .kind = ValueKind::kUint,
     .default_text = "1",
     .min = 1,
     .max = 100,
     .description = "Consecutive successes that make the probe pass (1 for Startup and Liveness).",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.success_threshold = AsUint32(v); }},
    {.name = "FailureThreshold",
     .kind = ValueKind::kUint,
     .default_text = "3",
     .min = 1,
     .max = 100,
     .description = "Consecutive failures that make the probe fail.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.failure_threshold = AsUint32(v); }},
};

}  // namespace

std::span<const SchemaValue<DaemonConfig>> DaemonSchema() { return kDaemonSchema; }
std::span<const SchemaValue<ProbeConfig>> ProbeSchema() { return kProbeSchema; }

}  // namespace sup::config
