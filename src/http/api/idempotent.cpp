#include "http/api/handler_util.h"
#include "http/api/routes.h"

namespace rapport::http::api {

Handler Idempotent(idempotency::IdempotencyService& idem, Handler inner) {
  return [&idem, inner = std::move(inner)](Request& req) -> Response {
    auto key = req.Header("Idempotency-Key");
    if (!key) return inner(req);
    return Handle([&]() -> Result<Response> {
      RETURN_IF_ERROR(idempotency::IdempotencyService::CheckKey(*key));
      std::string hash =
          idempotency::IdempotencyService::RequestHash(req.method, req.path, req.body);
      // The handler runs inside the key's transaction; a failed response rolls it back so
      // nothing is stored and the client may retry with the same key.
      Response response;
      auto outcome =
          idem.Run(WorkspaceOf(req), *key, hash, [&]() -> Result<idempotency::StoredResponse> {
            response = inner(req);
            if (response.status >= 300) return Aborted("request failed; not recorded");
            idempotency::StoredResponse stored{response.status, {}, response.body};
            for (const char* h : {"Location", "ETag"}) {
              if (auto v = response.Header(h)) stored.headers.emplace_back(h, std::string(*v));
            }
            return stored;
          });
      if (!outcome) {
        // The handler's own error response is the answer when it was the handler that failed.
        if (response.status >= 300) return response;
        return outcome.error();
      }
      if (!outcome->replayed) return response;
      Response replay;
      replay.status = outcome->response.status;
      replay.body = outcome->response.body;
      for (auto& [k, v] : outcome->response.headers) replay.SetHeader(k, v);
      replay.SetHeader("Idempotent-Replayed", "true");
      return replay;
    });
  };
}

}  // namespace rapport::http::api
