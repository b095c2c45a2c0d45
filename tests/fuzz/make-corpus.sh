#!/usr/bin/env bash
# Writes the seed corpus of the fuzzers from readable requests (protobuf text format, encoded
# with protoc), so the seeds follow the protocol. Run it after changing control.proto or
# health.proto, and commit the result. The test run writes them to a folder of its own and fails
# if they differ from the committed ones (scripts/check-fuzz-corpus.sh).
#
# Crash inputs a fuzzer found are not seeds made here: they are kept as found, in regressions/.
#
# Usage: tests/fuzz/make-corpus.sh [FOLDER]      (default: tests/fuzz/corpus)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
proto=$here/../../proto
corpus=${1:-$here/corpus}

# frame TYPE TEXT: one framed message (4-byte little-endian length, then the encoded message).
frame() {
  local payload
  payload=$(mktemp)
  protoc --proto_path="$proto" --encode="sup.v1.$1" sup/v1/control.proto sup/v1/health.proto <<<"$2" >"$payload"
  local n
  n=$(stat -c %s "$payload")
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))"
  cat "$payload"
  rm -f "$payload"
}
# byte VALUE: one raw byte.
byte() { printf "$(printf '\\x%02x' "$1")"; }

# session_fuzzer: byte 0 = pipe (bit 0: health) | role << 1 (0 none, 1 operator, 2 administrator).
control_admin=4 control_operator=2 control_none=0 health_none=1
session() {  # session NAME SELECTOR FRAMES...
  local name=$1 selector=$2
  shift 2
  { byte "$selector"; for f in "$@"; do printf '%s' "$f" | base64 -d; done; } >"$corpus/session/$name"
}
req() { frame Request "protocol_version: 1 request_id: 7 $1" | base64 -w0; }
health() { frame HealthRequest "protocol_version: 1 request_id: 9 $1" | base64 -w0; }

rm -rf "$corpus"
mkdir -p "$corpus/session" "$corpus/frame_decoder"
session version $control_admin "$(req 'version {}')"
session status $control_admin "$(req 'status {}')"
session status-named $control_admin "$(req 'status { workers: "api" workers: "nosuch" }')"
session start $control_admin "$(req 'start { workers: "api" }')"
session stop-all $control_admin "$(req 'stop { all: true }')"
session restart $control_admin "$(req 'restart { workers: "web" }')"
session reset-all $control_admin "$(req 'reset { all: true }')"
session describe $control_admin "$(req 'describe { worker: "api" }')"
session logs $control_admin "$(req 'logs { worker: "api" lines: 5 }')"
session logs-stderr $control_admin "$(req 'logs { worker: "api" error_stream: true lines: 1 }')"
session logs-follow $control_admin "$(req 'logs { worker: "api" follow: true }')" "$(req 'status {}')"
session events $control_admin "$(req 'events { limit: 3 }')"
session events-follow $control_admin "$(req 'events { follow: true }')"
session reread $control_admin "$(req 'reread {}')"
session update $control_admin "$(req 'update {}')"
session update-named $control_admin "$(req 'update { workers: "web" }')"
session conversation $control_admin "$(req 'status {}')" "$(req 'describe { worker: "web" }')" \
  "$(req 'restart { workers: "api" }')" "$(req 'update {}')" "$(req 'events { limit: 20 }')"
session old-protocol $control_admin "$(frame Request 'protocol_version: 99 request_id: 1 status {}' | base64 -w0)"
session no-body $control_admin "$(frame Request 'protocol_version: 1 request_id: 1' | base64 -w0)"
session operator-update $control_operator "$(req 'update {}')" "$(req 'restart { all: true }')"
session none-status $control_none "$(req 'status {}')"
session health-daemon $health_none "$(health 'check { service: "" }')"
session health-worker $health_none "$(health 'check { service: "api" }')" "$(health 'check { service: "nosuch" }')"
session health-watch $health_none "$(health 'watch { service: "" }')"
session health-list $health_none "$(health 'list {}')"
{ byte $control_admin; printf 'not a request at all'; } >"$corpus/session/garbage"

# frame_decoder_fuzzer: byte 0 = limit in KiB, bytes 1-2 = read size - 1, then the stream.
decoder() {  # decoder NAME LIMIT_KIB READ_SIZE BYTES-FROM-STDIN
  { byte "$2"; byte $((($3 - 1) & 255)); byte $((($3 - 1) >> 8)); cat; } >"$corpus/frame_decoder/$1"
}
frame Request 'protocol_version: 1 request_id: 1 status {}' | decoder one-frame 1 4096
{ frame Request 'request_id: 1 version {}'; frame Request 'request_id: 2 status {}'; } | decoder two-frames-bytewise 1 1
{ frame Request 'request_id: 1 version {}'; printf '\xff\xff\xff\x7f'; } | decoder oversized-prefix 1 3
{ printf '\x00\x00\x00\x00'; printf '\x10\x00\x00\x00abc'; } | decoder empty-then-partial 1 2
printf '\x00\x04\x00\x00' | decoder limit-zero 0 1
# config_fuzzer: lines of PATH=T:DATA (see config_fuzzer.cc), `---` before a reloaded configuration.
mkdir -p "$corpus/config"
cat >"$corpus/config/example" <<'SEED'
ControlPipe=s:sup-control
LogLevel=s:info
web-api\Command=s:"C:\Sup\testworker.exe" --http 18080
web-api\StopTimeoutMs=d:5000
web-api\Probes\Liveness\Type=s:http
web-api\Probes\Liveness\Target=s:http://127.0.0.1:18080/healthz
web-api\Probes\Liveness\PeriodMs=d:5000
web-api\Probes\Readiness\Type=s:tcp
web-api\Probes\Readiness\Target=s:127.0.0.1:18080
queue-consumer\Command=s:testworker.exe --stop-event-code 0
queue-consumer\DependsOn=m:web-api
queue-consumer\StopSteps=m:event,terminate
queue-consumer\Restart=s:on-failure
report-batch\Command=e:%ProgramFiles%\testworker.exe --exit-after 3000
report-batch\Restart=s:on-failure
SEED
cat >"$corpus/config/reload" <<'SEED'
a\Command=s:a.exe
b\Command=s:b.exe
b\DependsOn=m:a
---
a\Command=s:a2.exe
c\Command=s:c.exe
c\Environment=m:KEY=value,OTHER=1
SEED
cat >"$corpus/config/errors" <<'SEED'
LogLevel=s:loud
PipeInstances=d:1
bad name!\Command=s:x.exe
a\Command=d:7
a\BackoffInitialMs=s:ten
b\Command=s:b.exe
b\DependsOn=m:b
c\Command=s:c.exe
c\Probes\Sideways\Type=s:tcp
c\MemoryLimitMB=q:99999999999
c\StopSteps=m:event,dance
SEED
# config_file_fuzzer: byte 0 = reader (0 .reg, 1 JSON), then the file. The .reg seeds are UTF-16LE
# as regedit writes them, converted from the readable text here.
mkdir -p "$corpus/config_file"
reg_seed() {  # reg_seed NAME < text
  { byte 0; printf '\xff\xfe'; sed 's/$/\r/' | iconv -f UTF-8 -t UTF-16LE; } >"$corpus/config_file/$1"
}
reg_seed example <<'SEED'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SOFTWARE\Sup]
"LogLevel"="info"
"LogDirectory"=hex(2):25,00,54,00,45,00,4d,00,50,00,25,00,00,00
"PipeInstances"=dword:00000008

[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\web-api]
"Command"="\"C:\\Program Files\\Sup\\testworker.exe\" --http 18080"
"StopSteps"=hex(7):65,00,76,00,65,00,6e,00,74,00,00,00,74,00,65,00,72,00,6d,00,\
  69,00,6e,00,61,00,74,00,65,00,00,00,00,00
"LogMaxBytes"=hex(b):00,00,00,00,02,00,00,00

[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\web-api\Probes\Liveness]
"Type"="http"
"Target"="http://127.0.0.1:18080/healthz"
SEED
{ byte 0; printf 'REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\Workers\\a]\n"Command"="a.exe"\n'; } >"$corpus/config_file/regedit4"
{ byte 1; cat <<'SEED'
{
  "daemon": {"LogLevel": "debug", "LogDirectory": {"expand": "%TEMP%"}},
  "workers": {
    "api": {"Command": "api.exe", "StopSteps": ["event", "terminate"], "StopTimeoutMs": 5000,
            "LogMaxBytes": {"qword": 8589934592},
            "Probes": {"Liveness": {"Type": "tcp", "Target": "127.0.0.1:80"}}}
  }
}
SEED
} >"$corpus/config_file/json"
# engine_model_fuzzer: the bytes are the schedule's choices; seeds of a few lengths, from a fixed
# pseudo-random sequence so that the corpus is the same on every run.
mkdir -p "$corpus/engine_model"
for length in 64 256 1024 4096; do
  LC_ALL=C awk -v n="$length" 'BEGIN { srand(7); for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }' \
    >"$corpus/engine_model/random-$length"
done
# output_fuzzer: byte 0 = encoding (0 auto, 1 utf-8, 2 code page) + 3 for two streams into one
# file, byte 1 = chunk size - 1, bytes 2..3 = reply budget - 16, then what the worker prints.
mkdir -p "$corpus/output"
output() { { byte "$2"; byte "$3"; byte "$4"; byte "$5"; printf "$6"; } >"$corpus/output/$1"; }
output cp1252-auto 0 7 1 0 'caf\xe9\r\nna\xefve\n'
output utf8-declared-latin 1 0 0 200 'caf\xe9\ncaf\xc3\xa9\n\xf0\x9f\x98'
output codepage-partial 2 2 4 0 'line one\nline \xe9two\r\nno end'
output long-line 0 255 0 40 "$(printf 'x%.0s' $(seq 1 3000))\n"
# Two streams into one file (byte 0 + 3): chunks of 5 alternate, so lines begin in one chunk and
# end two chunks later, while the other stream's lines pass between.
output two-streams-auto 3 4 1 0 'out a\nerr 1out b begins,err 2 beg ends\nins, ends\nlast'
output two-streams-codepage 5 2 0 200 'caf\xe9\nna\xefve\r\nna\xefve\r\ncaf\xe9\n'
echo "make-corpus: $(ls "$corpus/output" | wc -l) output seeds, $(ls "$corpus/engine_model" | wc -l) engine model seeds, $(ls "$corpus/session" | wc -l) session seeds, $(ls "$corpus/frame_decoder" | wc -l) frame decoder seeds, $(ls "$corpus/config" | wc -l) config seeds, $(ls "$corpus/config_file" | wc -l) config file seeds"
