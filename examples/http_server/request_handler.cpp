// The request policy. Order of checks: method, target, conditional
// (If-Modified-Since), range; each is the RFC 9110 precedence.
#include "request_handler.hpp"

#include "http_date.hpp"
#include "mime_type.hpp"
#include "request_target.hpp"
#include "stats_report.hpp"

#include <boost/beast/version.hpp>

#include <cerrno>
#include <cstring>

namespace http_server {

namespace http = boost::beast::http;

reply text_reply(http::status status, std::string text, unsigned version, bool keep_alive,
                 bool head_only) {
  reply r;
  r.head.result(status);
  r.head.version(version);
  r.head.set(http::field::server, BOOST_BEAST_VERSION_STRING);
  r.head.set(http::field::content_type, "text/plain; charset=utf-8");
  r.head.content_length(text.size());
  r.head.keep_alive(keep_alive);
  if (!head_only)
    r.text = std::move(text);
  return r;
}

reply handle_request(server_context& ctx, const request& req) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  const bool head_only = req.method() == http::verb::head;
  auto text = [&](http::status status, std::string body) {
    return text_reply(status, std::move(body) + "\n", version, keep_alive, head_only);
  };

  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    reply r = text(http::status::method_not_allowed, "only GET and HEAD are served");
    r.head.set(http::field::allow, "GET, HEAD");
    return r;
  }
  target_path target = decode_target(req.target());
  if (target.status == target_path::bad_request)
    return text(http::status::bad_request, "bad request-target");
  if (target.status == target_path::forbidden)
    return text(http::status::forbidden, "forbidden");
  if (target.relative == "__stats") {
    reply r = text_reply(http::status::ok, stats_report(ctx), version, keep_alive, head_only);
    r.head.set(http::field::cache_control, "no-store");
    return r;
  }

  const bool direct = ctx.options.direct && ctx.options.mode != read_mode::file_body;
  opened_file f = ctx.root.open(target.relative, direct, 4096);
  switch (f.error) {
  case 0:
    break;
  case ENOENT:
  case ENOTDIR:
  case ENAMETOOLONG:
    return text(http::status::not_found, "not found");
  case EXDEV: // a symlink or ".." resolving outside the root
  case ELOOP:
  case EACCES:
  case EPERM:
  case EISDIR:
  case ENODEV:
    return text(http::status::forbidden, "forbidden");
  default:
    return text(http::status::internal_server_error, std::strerror(f.error));
  }

  if (f.direct_alignment > 1)
    ctx.stats.direct_files.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t size = static_cast<std::uint64_t>(f.status.st_size);
  const std::time_t mtime = f.status.st_mtim.tv_sec;
  reply r;
  r.head.version(version);
  r.head.keep_alive(keep_alive);
  r.head.set(http::field::server, BOOST_BEAST_VERSION_STRING);
  r.head.set(http::field::date, format_http_date(std::time(nullptr)));
  r.head.set(http::field::last_modified, format_http_date(mtime));

  // If-Modified-Since is ignored when If-None-Match is present (no ETags
  // here, so such a request is simply unconditional).
  if (auto ims = req.find(http::field::if_modified_since);
      ims != req.end() && req.find(http::field::if_none_match) == req.end()) {
    if (auto since = parse_http_date(ims->value()); since && mtime <= *since) {
      r.head.result(http::status::not_modified);
      return r;
    }
  }

  r.head.set(http::field::content_type, mime_type(target.relative));
  r.head.set(http::field::accept_ranges, "bytes");
  range_request range; // whole file
  // Range is defined for GET only; HEAD answers as the whole-file GET would.
  if (auto field = req.find(http::field::range); field != req.end() && !head_only) {
    bool honour = true;
    if (auto if_range = req.find(http::field::if_range); if_range != req.end()) {
      auto date = parse_http_date(if_range->value()); // an entity-tag never matches: no ETags
      honour = date && *date == mtime;
    }
    if (honour)
      range = evaluate_range(field->value(), size);
  }
  switch (range.kind) {
  case range_request::unsatisfiable: {
    reply e = text(http::status::range_not_satisfiable, "range not satisfiable");
    e.head.set(http::field::content_range, "bytes */" + std::to_string(size));
    return e;
  }
  case range_request::partial:
    r.head.result(http::status::partial_content);
    r.head.set(http::field::content_range,
               "bytes " + std::to_string(range.range.first) + "-" +
                   std::to_string(range.range.first + range.range.length - 1) + "/" +
                   std::to_string(size));
    break;
  case range_request::whole:
    r.head.result(http::status::ok);
    range.range = {0, size};
    break;
  }
  r.head.content_length(range.range.length);
  if (!head_only && range.range.length > 0)
    r.file = file_source{std::move(f.file), size, range.range, f.direct_alignment};
  return r;
}

} // namespace http_server
