// libFuzzer target: a client of either pipe, from the frame decoder through the session to the
// dispatcher (control) or the health service, against an engine with fakes and a manual clock.
//
// Input: byte 0 picks the pipe (bit 0: control or health) and the caller's role (bits 1-2);
// the rest is the byte stream the client sends, cut into frames by the real FrameDecoder. Between
// frames the world moves on: time passes, a worker crashes, output is printed, so open streams
// carry frames. At the end supd "stops", which must end every stream. Checks, beyond "no crash,
// no sanitizer report, no leak":
//   - every frame supd sends parses as the pipe's response message;
//   - every request that parses gets its answer first, carrying its request_id;
//   - a frame that is not a request closes the connection, as does a request during a stream;
//   - after supd stops no stream is left open.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/stubs/logging.h>

#include "common/frame_codec.h"
#include "common/config/validate.h"
#include "daemon/control/control_dispatcher.h"
#include "daemon/control/health_service.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup {
namespace {

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

config::RawConfig Workers(bool changed) {
  config::RawConfig raw;
  raw.workers["api"].values["Command"] = config::RawValue::String("api.exe");
  raw.workers["web"].values["Command"] = config::RawValue::String(changed ? "web2.exe" : "web.exe");
  raw.workers["web"].values["DependsOn"] = config::RawValue::MultiString({"api"});
  if (changed) {
    raw.workers["new"].values["Command"] = config::RawValue::String("new.exe");
    raw.workers["broken"].values["Command"] =
        config::RawValue::Dword(7);  // invalid: reported, not applied
  }
  return raw;
}

// One supd with fakes for everything outside the engine, two workers configured and running,
// and a registry that differs from what runs.
class World {
 public:
  World() {
    static const ValidatedConfig running =
        config::ValidateConfig(Workers(false));  // once: it is slow
    engine_.supervisor.ApplyConfig(running);
    config_.raw = Workers(true);
    output_.captured[{"api", control::OutputStream::kStdout}] = {"listening"};
    output_.captured[{"api", control::OutputStream::kStderr}] = {};
    engine_.timers.Advance(std::chrono::milliseconds(1000));
  }

  std::unique_ptr<control::Session> Open(bool health, control::FrameSink& sink,
                                         const control::Caller& caller) {
    return health ? health_.Open(sink, caller) : control_.Open(sink, caller);
  }

  // Between two frames: time passes, api crashes if it runs, and prints a line.
  void MoveOn() {
    if (std::optional<engine::WorkerSnapshot> api = engine_.supervisor.Snapshot("api");
        api && api->pid != 0) {
      engine_.supervisor.OnExit("api", api->pid, 3);
    }
    output_.Print("api", control::OutputStream::kStdout, {"line"});
    engine_.timers.Advance(std::chrono::milliseconds(700));
  }

  void StopDaemon() {
    health_.Stop();
    control_.EndStreams();
    Require(control_.open_streams() == 0 && health_.open_watches() == 0);
  }

 private:
  testing::FakeEngine engine_;
  testing::FakeConfigSource config_;
  control::ConfigApplier config_apply_{engine_.supervisor, config_};
  testing::FakeOutputSource output_;
  testing::FakeResourceSource resources_;
  control::ControlDispatcher control_{
      control::ControlPorts{engine_.clock, engine_.supervisor, config_apply_, output_,
                            engine_.events, resources_},
      control::DaemonIdentity{1, "0.0.0", ""}, control::ControlLimits{.max_streams = 2}};
  control::StatusBoard board_;
  control::StatusPublisher publisher_{engine_.supervisor, engine_.events, board_,
                                      [](std::function<void()> task) { task(); }};
  control::HealthService health_{board_, 2};
};

// The request_id of a request frame, if the frame parses as the pipe's request.
template <typename Request>
std::optional<std::uint64_t> RequestId(std::string_view payload) {
  Request request;
  if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return std::nullopt;
  return request.request_id();
}

template <typename Response>
Response ParseReply(const std::string& frame) {
  Response response;
  Require(response.ParseFromString(frame));
  return response;
}

template <typename Request, typename Response>
void Converse(World& world, control::Session& session, testing::RecordingSink& sink,
              FrameDecoder& decoder) {
  while (std::optional<std::string> payload = decoder.Pop()) {
    if (sink.ended) return;  // the session closed the connection
    const std::size_t sent_before = sink.frames.size();
    const bool was_streaming = session.streaming();
    const std::optional<std::uint64_t> id = RequestId<Request>(*payload);
    if (!session.OnFrame(*payload).ok()) {
      Require(was_streaming || !id.has_value());  // only non-requests and requests during a stream
      return;                                     // close the connection
    }
    Require(id.has_value() && !was_streaming);
    Require(sink.frames.size() > sent_before);
    Require(ParseReply<Response>(sink.frames[sent_before]).request_id() == *id);
    world.MoveOn();
  }
}

}  // namespace
}  // namespace sup

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf reports every string with invalid UTF-8 on stderr; the fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sup;
  if (size < 1) return 0;
  const bool health = data[0] & 1;
  const control::Role role = static_cast<control::Role>((data[0] >> 1) % 3);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

  World world;
  sup::testing::RecordingSink sink;
  std::unique_ptr<control::Session> session =
      world.Open(health, sink, control::Caller{role, "fuzz"});
  FrameDecoder decoder(64 * 1024);
  // A refused length prefix ends the input; the frames before it are still served. (The pipe
  // server drops the connection without serving the rest of that read, which this covers.)
  static_cast<void>(decoder.Feed(stream));
  if (health) {
    Converse<sup::v1::HealthRequest, sup::v1::HealthResponse>(world, *session, sink, decoder);
  } else {
    Converse<sup::v1::Request, sup::v1::Response>(world, *session, sink, decoder);
  }
  world.StopDaemon();
  Require(sink.sent_after_end == 0 && sink.ended_again == 0);  // nothing after the end of a stream
  for (const std::string& frame : sink.frames) {
    if (health) {
      ParseReply<sup::v1::HealthResponse>(frame);
    } else {
      ParseReply<sup::v1::Response>(frame);
    }
  }
  session.reset();  // the connection goes after supd stopped it, as in the pipe server
  return 0;
}
