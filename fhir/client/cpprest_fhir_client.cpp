// fhir/client/cpprest_fhir_client.cpp: GET with cpprestsdk, its failures typed (fhir_client.hpp).
#include "fhir/client/cpprest_fhir_client.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <system_error>

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <boost/asio/ssl/context.hpp>

namespace ivig::fhir::client {
namespace {

namespace http = web::http;

std::string media_type_of(const http::http_headers& headers) {
  std::string type = headers.content_type();
  type = type.substr(0, type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c) != 0; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

fetch_failure failure_for_status(int status) {
  if (status == 401) return fetch_failure::unauthorized;
  if (status == 403) return fetch_failure::forbidden;
  if (status == 404 || status == 410) return fetch_failure::not_found;
  if (status >= 500 && status <= 599) return fetch_failure::server_error;
  return fetch_failure::http_error;
}

/// One request in flight: finished exactly once, by its response, its failure or its deadline.
struct exchange : std::enable_shared_from_this<exchange> {
  std::function<void(fetch_result)> done;
  pplx::cancellation_token_source cancel;
  deadline_watch* watch = nullptr;
  deadline_watch::ticket ticket = 0;
  std::size_t max_bytes = 0;
  std::size_t bytes_read = 0;
  int status = 0;
  std::atomic<bool> finished{false};
  std::atomic<bool> deadline_passed{false};
  concurrency::streams::container_buffer<std::string> body;
  concurrency::streams::istream source;

  void finish(fetch_result result) {
    if (finished.exchange(true)) return;
    watch->cancel(ticket);
    result.http_status = status;
    done(std::move(result));
  }

  void fail(fetch_failure failure, std::string detail) {
    cancel.cancel();  // drops the connection, so that nothing more is read for this exchange
    finish({failure, status, {}, std::move(detail)});
  }

  void read_more() {
    source.read(body, 64 * 1024).then([self = shared_from_this()](pplx::task<std::size_t> read) {
      try {
        const std::size_t n = read.get();
        // Counted from what was read: the buffer's string is sized ahead of each write, so its
        // size is not the body's until the end.
        self->bytes_read += n;
        if (self->bytes_read > self->max_bytes)
          return self->fail(fetch_failure::too_large,
                            "the response is larger than " + std::to_string(self->max_bytes) + " bytes");
        if (n == 0) {
          std::string text = std::move(self->body.collection());
          text.resize(self->bytes_read);
          return self->finish({fetch_failure::none, self->status, std::move(text), {}});
        }
        self->read_more();
      } catch (const std::exception& e) {
        self->on_exception(e);
      }
    });
  }

  void on_exception(const std::exception& e) {
    if (deadline_passed.load() || dynamic_cast<const pplx::task_canceled*>(&e) != nullptr)
      return fail(fetch_failure::timeout, "no complete answer before the call's deadline");
    if (const auto* error = dynamic_cast<const http::http_exception*>(&e);
        error != nullptr && error->error_code() == std::errc::timed_out)
      return fail(fetch_failure::timeout, "the FHIR server stopped answering");
    fail(fetch_failure::connection_failed, e.what());
  }
};

}  // namespace

cpprest_fhir_client::cpprest_fhir_client(client_options options) : options_(std::move(options)) {}

cpprest_fhir_client::~cpprest_fhir_client() = default;

std::optional<std::string> cpprest_fhir_client::refusal(std::string_view url) const {
  return client::refusal(options_.policy, url);
}

std::shared_ptr<http::client::http_client> cpprest_fhir_client::client_for(const url_origin& origin) {
  const std::string key = origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port);
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(clients_.begin(), clients_.end(), [&](const auto& entry) { return entry.first == key; });
  if (found != clients_.end()) {
    clients_.splice(clients_.begin(), clients_, found);
    return clients_.front().second;
  }
  http::client::http_client_config config;
  config.set_timeout(options_.inactivity_timeout);
  config.set_max_redirects(0);  // a redirect answers as the 3xx it is: never followed to another host
  config.set_validate_certificates(true);
  if (!options_.ca_file.empty())
    config.set_ssl_context_callback(
        [ca = options_.ca_file](boost::asio::ssl::context& context) { context.load_verify_file(ca); });
  clients_.emplace_front(key, std::make_shared<http::client::http_client>(web::uri(key), config));
  if (clients_.size() > options_.max_servers) clients_.pop_back();  // in-flight requests hold their own
  return clients_.front().second;
}

void cpprest_fhir_client::get(fetch_request request, std::function<void(fetch_result)> done) {
  if (auto refused = refusal(request.url)) return done({fetch_failure::refused, 0, {}, std::move(*refused)});
  const auto origin = parse_origin(request.url);
  auto call = std::make_shared<exchange>();
  call->done = std::move(done);
  call->watch = &watch_;
  call->max_bytes = request.max_bytes;
  std::shared_ptr<http::client::http_client> client;
  http::http_request get(http::methods::GET);
  try {
    client = client_for(*origin);
    get.set_request_uri(web::uri(request.url).resource());
  } catch (const std::exception& e) {
    return call->finish({fetch_failure::connection_failed, 0, {}, e.what()});
  }
  get.headers().add(http::header_names::accept, options_.accept);
  if (!request.bearer_token.empty())
    get.headers().add(http::header_names::authorization, "Bearer " + request.bearer_token);
  call->ticket = watch_.at(request.deadline, [weak = std::weak_ptr<exchange>(call)] {
    if (const auto late = weak.lock()) {
      late->deadline_passed = true;
      late->fail(fetch_failure::timeout, "no complete answer before the call's deadline");
    }
  });
  client->request(get, call->cancel.get_token())
      .then([call, client, &accepted = options_.media_types](pplx::task<http::http_response> answered) {
        try {
          http::http_response response = answered.get();
          call->status = response.status_code();
          if (call->status < 200 || call->status > 299) {
            std::string detail = "HTTP " + std::to_string(call->status);
            if (call->status >= 300 && call->status <= 399) detail += ": a redirect, not followed";
            return call->fail(failure_for_status(call->status), std::move(detail));
          }
          const std::string media_type = media_type_of(response.headers());
          if (std::find(accepted.begin(), accepted.end(), media_type) == accepted.end())
            return call->fail(fetch_failure::wrong_content_type,
                              "Content-Type '" + media_type.substr(0, 64) + "' is not " + accepted.front());
          if (response.headers().content_length() > call->max_bytes)
            return call->fail(fetch_failure::too_large,
                              "the response is larger than " + std::to_string(call->max_bytes) + " bytes");
          call->source = response.body();
          call->read_more();
        } catch (const std::exception& e) {
          call->on_exception(e);
        }
      });
}

}  // namespace ivig::fhir::client
