#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "application/metrics.h"

// castor's metrics in the Prometheus text exposition format 0.0.4, with the HTTP API's label
// values. No Beast: main includes this to size Metrics and to render it.
namespace castor::api {

// The method label values of the HTTP series, indexed like Metrics' method numbers: "GET",
// "HEAD", "POST", "PUT", "DELETE", then "OTHER" (the catch-all, last).
std::span<const std::string_view> http_method_labels();
// The index in http_method_labels() of a request method token; "OTHER"'s for anything else
// (tokens are case-sensitive: "get" is OTHER).
std::size_t http_method_index(std::string_view token);

// The route label values, indexed like Metrics' route numbers: the route table's labels (its
// patterns, so that ids and keys cannot blow up the number of series) in table order, then
// "unmatched" (the catch-all, last). Build the server's Metrics with
// Metrics(http_route_labels().size(), http_method_labels().size()).
std::span<const std::string_view> http_route_labels();

// Every family of `metrics` as Prometheus text (serve it with the content type
// "text/plain; version=0.0.4; charset=utf-8"), labelled with the values above, followed by each
// of `extra_families` verbatim (complete families with their own HELP/TYPE lines, e.g.
// render_process_metrics(); a missing final newline is added). Families always carry their HELP
// and TYPE lines; labelled series appear once their label combination has been observed. Does
// not block the request path (see Metrics::snapshot()).
std::string render_prometheus_text(const Metrics& metrics,
                                   const std::vector<std::string>& extra_families = {});

}  // namespace castor::api
