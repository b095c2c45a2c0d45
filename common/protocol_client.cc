#include "common/protocol_client.h"

#include <array>
#include <string>

#include "common/protocol.h"

namespace sup {

template <typename Request, typename Response>
Result<Response> ProtocolClient<Request, Response>::Call(Request request) {
  current_id_ = next_request_id_++;
  request.set_request_id(current_id_);
  request.set_protocol_version(kProtocolVersion);
  Result<std::string> frame = EncodeFrame(request.SerializeAsString());
  if (!frame) return frame.error();
  if (Result<void> written = stream_.WriteAll(*frame); !written) return written.error();
  return Next();
}

template <typename Request, typename Response>
Result<Response> ProtocolClient<Request, Response>::Next() {
  std::array<char, 64 * 1024> buffer;
  while (true) {
    while (std::optional<std::string> payload = decoder_.Pop()) {
      Response response;
      if (!response.ParseFromString(*payload)) {
        return Error(ErrorKind::kInternal,
                     "supd sent a reply that is not a " + response.GetTypeName());
      }
      if (response.request_id() != current_id_)
        continue;  // a stale reply to an earlier, abandoned call
      if (response.has_error()) {
        return Error(FromWireCode(response.error().code()), response.error().message());
      }
      return response;
    }
    Result<std::size_t> read = stream_.ReadSome(buffer);
    if (!read) return read.error();
    if (*read == 0) {
      return Error(ErrorKind::kUnavailable, "supd closed the connection",
                   std::make_error_code(std::errc::connection_aborted));
    }
    if (Result<void> fed = decoder_.Feed(std::string_view(buffer.data(), *read)); !fed) {
      return fed.error().WithContext("reading supd's reply");
    }
  }
}

template class ProtocolClient<sup::v1::Request, sup::v1::Response>;
template class ProtocolClient<sup::v1::HealthRequest, sup::v1::HealthResponse>;

}  // namespace sup
