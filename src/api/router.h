#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace castor::api {

// The parameters a path pattern captured, by name, still percent-encoded as on the request line
// (handlers decode and validate them). Names are views into the pattern strings the Router was
// built from; values are copies, so a PathParams stays valid while the request is reset.
class PathParams {
 public:
  static constexpr std::size_t kMaxParams = 4;

  // The value captured for `name` ("id" for "{id}", "rest" for "{rest...}"); nullopt if the
  // matched pattern has no such parameter.
  std::optional<std::string_view> get(std::string_view name) const;
  std::size_t size() const { return size_; }

  // For the Router: forgets every parameter (keeping the values' capacity), adds one.
  void clear() { size_ = 0; }
  void add(std::string_view name, std::string_view value);

 private:
  std::array<std::pair<std::string_view, std::string>, kMaxParams> params_;
  std::size_t size_ = 0;
};

// One route as the router sees it: a request method token ("GET", case-sensitive as HTTP
// methods are) and a path pattern.
struct RouteKey {
  std::string_view method;
  std::string_view pattern;
};

// Matches request paths against path patterns, segment by segment, in a tree built once; a match
// costs one pass over the path and allocates nothing but captured values longer than the small
// string buffer. Patterns:
//   "/v1/objects"                   literal segments, matched exactly (no decoding)
//   "/v1/objects/{id}"              "{name}": any one segment, possibly empty
//   "/v1/objects/by-key/{rest...}"  "{name...}", last: everything after the preceding '/',
//                                   slashes included, possibly empty
// A literal segment wins over a parameter at the same position, without backtracking: with the
// two patterns above, "/v1/objects/by-key" matches neither (it is no {id}), and
// "/v1/objects/by-key/" matches the second with rest "". Immutable once built; thread-safe.
class Router {
 public:
  static constexpr std::size_t kNoRoute = SIZE_MAX;

  // Builds the tree for `routes` (kept by index). The method and pattern strings must outlive
  // the Router (string literals of a static table). InvalidArgument for a pattern that does not
  // start with '/', a malformed parameter, "{name...}" not last, more than kMaxParams
  // parameters, a method twice on one pattern, or two patterns that differ only in parameter
  // names (or that have "{a}" and "{b...}" at one position).
  [[nodiscard]] static Result<Router> create(std::span<const RouteKey> routes);

  struct Match {
    std::size_t pattern = 0;       // index of the matched pattern, see pattern()
    std::size_t route = kNoRoute;  // index into create()'s routes; kNoRoute: method not allowed
  };
  // Matches `method` and `path` (the path part of the target, still percent-encoded). nullopt
  // when no pattern matches the path; otherwise `params` holds what the pattern captured.
  std::optional<Match> match(std::string_view method, std::string_view path,
                             PathParams& params) const;

  // The distinct patterns, in the order of their first route.
  std::size_t pattern_count() const { return patterns_.size(); }
  std::string_view pattern(std::size_t i) const { return patterns_[i].text; }
  // The index of the first route registered with pattern `i`.
  std::size_t first_route(std::size_t i) const { return patterns_[i].methods.front().second; }
  // The Allow header for pattern `i`: its methods in registration order, "GET, HEAD, DELETE".
  const std::string& allow(std::size_t i) const { return patterns_[i].allow; }

 private:
  static constexpr std::size_t kNone = SIZE_MAX;

  struct Node {
    std::vector<std::pair<std::string_view, std::size_t>> literals;  // segment -> node
    std::size_t param = kNone;                                       // node after "{name}"
    std::string_view param_name;
    std::size_t rest_pattern = kNone;  // pattern ending in "{name...}" here
    std::string_view rest_name;
    std::size_t pattern = kNone;  // pattern ending at this node
  };
  struct Pattern {
    std::string_view text;
    std::vector<std::pair<std::string_view, std::size_t>> methods;  // method -> route index
    std::string allow;
  };

  Router() = default;
  Result<std::size_t> add_pattern(std::string_view text);

  std::vector<Node> nodes_;  // nodes_[0] is the root: before the path's first segment
  std::vector<Pattern> patterns_;
};

}  // namespace castor::api
