#pragma once
/// @file
/// The dashboard's site without the network: a request (method, decoded path, query, the
/// Authorization header) in, a response out. The pages, their assets and the read-only JSON API:
///
///   GET /                               the page of every study
///   GET /studies/<app>                  the page of one study
///   GET /assets/<file>                  the pages' scripts and styles (embedded in the program)
///   GET /api/studies                    {"studies": [overview, ...]}
///   GET /api/studies/<app>              overview + "config" (the optimization: section)
///   GET /api/studies/<app>/trials       {"app": ..., "trials": [trial, ...]}; `?after=N` gives
///                                       only the trials numbered above N (what a poll needs)
///
/// Nothing changes state: any other method is answered 405. With a token, /api/ answers 401
/// unless the request carries `Authorization: Bearer <token>` (the pages hold no data and ask
/// for the token once). Every response carries a Content-Security-Policy that allows only this
/// origin's scripts, styles and requests.

#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/store.hpp>
#include <servokit/dashboard/asset.hpp>
#include <servokit/dashboard/model.hpp>
#include <servokit/json/write.hpp>

namespace servokit::dashboard {

/// The path under which the study page is served for every app (the asset at that path is the
/// page; its script reads the app from the address).
inline constexpr std::string_view study_page_path = "/studies/";

/// One request as the site needs it.
struct request {
  std::string_view method = "GET";
  std::string_view path = "/";                 ///< percent-decoded
  std::optional<std::string_view> after;       ///< the `after` query parameter, when given
  std::string_view authorization;              ///< the Authorization header, empty when absent
};

/// The API's content type. The charset parameter also keeps cpp-httplib from compressing the
/// answer: it brotli-compresses `text/*` and bare `application/json` or `application/javascript`
/// answers at brotli's slowest level on every request (0.8 s for Chart.js on a busy machine),
/// which costs far more than it saves on loopback.
inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

/// One response.
struct response {
  int status = 200;
  std::string content_type = std::string(json_content_type);
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;   ///< besides Content-Type
};

/// The Content-Security-Policy of every response: scripts, styles, images and requests from this
/// origin only; no inline script or style, no plugins, no framing, no form posting elsewhere.
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Compares without leaking, through timing, how much of the token a guess got right.
inline bool same_token(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % (expected.empty() ? 1 : expected.size())]);
  }
  return difference == 0 && !expected.empty();
}

namespace detail {

inline void write_optional(json::writer& out, std::string_view name, const std::optional<double>& value) {
  out.key(name);
  if (value) {
    out.number(*value);
  } else {
    out.null();
  }
}

inline void write_configuration(json::writer& out, std::string_view name, const std::optional<configuration_result>& result) {
  out.key(name);
  if (!result) return out.null();
  out.begin_object();
  out.key("trial"), out.integer(result->first_trial);
  out.key("settings"), out.raw(result->settings_json);
  out.key("objective"), out.number(result->mean);
  out.key("repeats"), out.integer(result->repeats);
  write_optional(out, "spread", result->spread);
  out.end_object();
}

/// The members of an overview (without the braces), with the best and the baseline.
inline void write_overview_members(json::writer& out, const study_overview& overview,
                                   const std::vector<backend::trial_record>& trials) {
  out.key("app"), out.string(overview.app);
  out.key("state"), out.string(overview.state);
  out.key("reason"), out.string(overview.reason);
  out.key("objective"), out.string(overview.objective);
  out.key("goal"), out.string(overview.maximize ? "maximize" : "minimize");
  out.key("budget"), out.integer(overview.budget);
  out.key("trials"), out.integer(overview.trials_done);
  std::int64_t ok = 0;
  for (const auto& trial : trials) ok += trial.status == "ok" ? 1 : 0;
  out.key("ok"), out.integer(ok);
  write_optional(out, "created", overview.created);
  write_optional(out, "last_activity", overview.last_activity);
  const best_result best = summarize_best(trials, overview.maximize);
  write_configuration(out, "best", best.best);
  write_configuration(out, "baseline", best.baseline);
  write_optional(out, "improvement_percent", best.improvement_percent);
  write_optional(out, "improvement_spread", best.improvement_spread);
}

inline void write_trial(json::writer& out, const backend::trial_record& trial) {
  out.begin_object();
  out.key("number"), out.integer(trial.number);
  out.key("status"), out.string(trial.status);
  out.key("reason"), out.string(trial.reason);
  write_optional(out, "objective", trial.objective);
  out.key("settings"), out.raw(trial.settings_json);
  out.key("metrics"), out.raw(trial.metrics_json);
  out.key("started"), out.number(trial.started);
  out.key("finished"), out.number(trial.finished);
  out.end_object();
}

}  // namespace detail

/// `{"studies": [...]}`: every study's overview.
inline std::string studies_json(study_source& source) {
  std::string text;
  json::writer out(text);
  out.begin_object();
  out.key("studies"), out.begin_array();
  for (const auto& details : source.studies()) {
    out.begin_object();
    detail::write_overview_members(out, details.overview, details.trials);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return text;
}

/// One study's overview with its `config` (the `optimization:` section).
inline std::string study_json(const study_details& details) {
  std::string text;
  json::writer out(text);
  out.begin_object();
  detail::write_overview_members(out, details.overview, details.trials);
  out.key("config"), out.raw(details.overview.config_json);
  out.end_object();
  return text;
}

/// `{"app": ..., "trials": [...]}` with the trials numbered above `after`.
inline std::string trials_json(const study_details& details, std::int64_t after = 0) {
  std::string text;
  json::writer out(text);
  out.begin_object();
  out.key("app"), out.string(details.overview.app);
  out.key("budget"), out.integer(details.overview.budget);
  out.key("state"), out.string(details.overview.state);
  out.key("trials"), out.begin_array();
  for (const auto& trial : details.trials) {
    if (trial.number > after) detail::write_trial(out, trial);
  }
  out.end_array();
  out.end_object();
  return text;
}

/// The dashboard's site: routes requests to the pages, the assets and the API.
class site {
 public:
  /// Serves `source`'s studies with `assets` (which must outlive the site); an empty `token`
  /// leaves /api/ open (fine on loopback).
  site(study_source& source, std::span<const asset> assets, std::string token = {})
      : source_(source), assets_(assets), token_(std::move(token)) {}

  /// The response to `query`.
  response answer(const request& query) const {
    response reply = route(query);
    reply.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
    reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
    reply.headers.emplace_back("Referrer-Policy", "no-referrer");
    reply.headers.emplace_back("X-Frame-Options", "DENY");
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
  }

  /// Whether /api/ asks for a token.
  bool needs_token() const { return !token_.empty(); }

 private:
  static response error(int status, std::string_view message) {
    response reply;
    reply.status = status;
    std::string body;
    json::writer out(body);
    out.begin_object();
    out.key("error"), out.string(message);
    out.end_object();
    reply.body = std::move(body);
    return reply;
  }

  response serve_asset(std::string_view path) const {
    for (const auto& file : assets_) {
      if (file.path == path) return response{200, std::string(file.content_type), std::string(file.body), {}};
    }
    response missing = error(404, "no such page: " + std::string(path));
    missing.content_type = "text/plain; charset=utf-8";
    missing.body = "404: no such page\n";
    return missing;
  }

  response route(const request& query) const {
    if (query.method != "GET" && query.method != "HEAD") {
      response refused = error(405, "the dashboard is read-only: only GET");
      refused.headers.emplace_back("Allow", "GET, HEAD");
      return refused;
    }
    constexpr std::string_view api_prefix = "/api/";
    if (query.path.substr(0, api_prefix.size()) == api_prefix) return api(query);
    if (query.path.size() > study_page_path.size() && query.path.substr(0, study_page_path.size()) == study_page_path &&
        query.path.find('/', study_page_path.size()) == std::string_view::npos) {
      return serve_asset(study_page_path);
    }
    return serve_asset(query.path);
  }

  response api(const request& query) const {
    if (!token_.empty()) {
      constexpr std::string_view bearer = "Bearer ";
      if (query.authorization.substr(0, bearer.size()) != bearer ||
          !same_token(query.authorization.substr(bearer.size()), token_)) {
        response refused = error(401, "a valid 'Authorization: Bearer <token>' header is required");
        refused.headers.emplace_back("WWW-Authenticate", "Bearer");
        return refused;
      }
    }
    constexpr std::string_view studies_path = "/api/studies";
    std::string_view rest = query.path.substr(std::min(query.path.size(), studies_path.size()));
    if (query.path.substr(0, studies_path.size()) != studies_path) return error(404, "no such API path");
    if (rest.empty() || rest == "/") return response{200, std::string(json_content_type), studies_json(source_), {}};
    if (rest.front() != '/') return error(404, "no such API path");
    rest.remove_prefix(1);
    constexpr std::string_view trials_suffix = "/trials";
    const bool wants_trials = rest.size() > trials_suffix.size() && rest.substr(rest.size() - trials_suffix.size()) == trials_suffix;
    const std::string_view app = wants_trials ? rest.substr(0, rest.size() - trials_suffix.size()) : rest;
    if (app.empty() || app.find('/') != std::string_view::npos) return error(404, "no such API path");
    std::int64_t after = 0;
    if (query.after) {
      const auto [end, problem] = std::from_chars(query.after->data(), query.after->data() + query.after->size(), after);
      if (problem != std::errc() || end != query.after->data() + query.after->size() || after < 0) {
        return error(400, "after: expected a trial number (a non-negative integer)");
      }
    }
    const auto details = source_.study(app);
    if (!details) return error(404, "no study of \"" + std::string(app) + "\"");
    return response{200, std::string(json_content_type), wants_trials ? trials_json(*details, after) : study_json(*details), {}};
  }

  study_source& source_;
  std::span<const asset> assets_;
  std::string token_;
};

}  // namespace servokit::dashboard
