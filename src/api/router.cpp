#include "api/router.h"

#include <algorithm>
#include <cassert>

namespace castor::api {
namespace {

// "{name}" -> name; "{name...}" -> name with *rest set; nullopt if `segment` is a literal.
// InvalidArgument for a malformed parameter (braces elsewhere, an empty or odd name).
Result<std::optional<std::string_view>> parameter(std::string_view segment, bool* rest) {
  *rest = false;
  if (segment.find_first_of("{}") == std::string_view::npos) {
    return std::optional<std::string_view>();
  }
  if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') {
    return invalid_argument("malformed parameter segment \"" + std::string(segment) + "\"");
  }
  std::string_view name = segment.substr(1, segment.size() - 2);
  if (name.ends_with("...")) {
    *rest = true;
    name.remove_suffix(3);
  }
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid) {
    return invalid_argument("malformed parameter name in \"" + std::string(segment) + "\"");
  }
  return std::optional<std::string_view>(name);
}

}  // namespace

std::optional<std::string_view> PathParams::get(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i) {
    if (params_[i].first == name) {
      return std::string_view(params_[i].second);
    }
  }
  return std::nullopt;
}

void PathParams::add(std::string_view name, std::string_view value) {
  assert(size_ < kMaxParams);  // the Router refuses patterns with more parameters
  auto& [n, v] = params_[size_++];
  n = name;
  v.assign(value.data(), value.size());
}

Result<std::size_t> Router::add_pattern(std::string_view text) {
  for (std::size_t i = 0; i < patterns_.size(); ++i) {
    if (patterns_[i].text == text) {
      return i;
    }
  }
  const std::string quoted = "route pattern \"" + std::string(text) + "\"";
  if (!text.starts_with('/')) {
    return invalid_argument(quoted + " does not start with '/'");
  }
  const std::size_t index = patterns_.size();
  std::size_t node = 0;
  std::size_t params = 0;
  std::string_view rest = text.substr(1);
  for (;;) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    bool is_rest = false;
    auto name = parameter(segment, &is_rest);
    if (!name) {
      return invalid_argument(quoted + ": " + name.error().message);
    }
    if (*name && ++params > PathParams::kMaxParams) {
      return invalid_argument(quoted + " has too many parameters");
    }
    if (is_rest) {
      if (slash != std::string_view::npos) {
        return invalid_argument(quoted + ": {" + std::string(**name) + "...} must come last");
      }
      Node& n = nodes_[node];
      if (n.param != kNone || n.rest_pattern != kNone) {
        return invalid_argument(quoted + " overlaps another pattern's parameter");
      }
      n.rest_pattern = index;
      n.rest_name = **name;
      break;
    }
    std::size_t next = kNone;
    if (*name) {
      if (nodes_[node].rest_pattern != kNone ||
          (nodes_[node].param != kNone && nodes_[node].param_name != **name)) {
        return invalid_argument(quoted + " overlaps another pattern's parameter");
      }
      next = nodes_[node].param;
    } else {
      for (const auto& [literal, child] : nodes_[node].literals) {
        if (literal == segment) {
          next = child;
        }
      }
    }
    if (next == kNone) {
      next = nodes_.size();
      nodes_.emplace_back();  // may move nodes_: index, never hold a reference across it
      if (*name) {
        nodes_[node].param = next;
        nodes_[node].param_name = **name;
      } else {
        nodes_[node].literals.emplace_back(segment, next);
      }
    }
    node = next;
    if (slash == std::string_view::npos) {
      if (nodes_[node].pattern != kNone) {
        return invalid_argument(quoted + " differs from \"" +
                                std::string(patterns_[nodes_[node].pattern].text) +
                                "\" only in parameter names");
      }
      nodes_[node].pattern = index;
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  patterns_.push_back(Pattern{text, {}, {}});
  return index;
}

Result<Router> Router::create(std::span<const RouteKey> routes) {
  Router router;
  router.nodes_.emplace_back();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    auto pattern = router.add_pattern(routes[i].pattern);
    if (!pattern) {
      return std::move(pattern).error();
    }
    Pattern& p = router.patterns_[*pattern];
    for (const auto& [method, route] : p.methods) {
      if (method == routes[i].method) {
        return invalid_argument(std::string(routes[i].method) + " " +
                                std::string(routes[i].pattern) + " is registered twice");
      }
    }
    p.methods.emplace_back(routes[i].method, i);
    if (!p.allow.empty()) {
      p.allow += ", ";
    }
    p.allow += routes[i].method;
  }
  return router;
}

std::optional<Router::Match> Router::match(std::string_view method, std::string_view path,
                                           PathParams& params) const {
  params.clear();
  if (!path.starts_with('/')) {
    return std::nullopt;
  }
  std::size_t node = 0;
  std::size_t pattern = kNone;
  std::string_view rest = path.substr(1);
  for (;;) {
    const Node& n = nodes_[node];
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    std::size_t next = kNone;
    for (const auto& [literal, child] : n.literals) {
      if (literal == segment) {
        next = child;
        break;
      }
    }
    if (next == kNone && n.param != kNone) {
      params.add(n.param_name, segment);
      next = n.param;
    }
    if (next == kNone) {
      if (n.rest_pattern == kNone) {
        return std::nullopt;
      }
      params.add(n.rest_name, rest);
      pattern = n.rest_pattern;
      break;
    }
    if (slash == std::string_view::npos) {
      pattern = nodes_[next].pattern;
      break;
    }
    node = next;
    rest.remove_prefix(slash + 1);
  }
  if (pattern == kNone) {
    return std::nullopt;
  }
  Match m{pattern, kNoRoute};
  for (const auto& [registered, route] : patterns_[pattern].methods) {
    if (registered == method) {
      m.route = route;
      break;
    }
  }
  return m;
}

}  // namespace castor::api
