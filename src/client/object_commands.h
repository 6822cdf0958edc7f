#pragma once

#include <optional>
#include <string>

#include "client/context.h"
#include "domain/error.h"

// castorctl ls, get, put, rm and stat. Each prints its result (text, or JSON with --json) and
// returns the error that decides the exit code.
namespace castor::client {

// `ls bundles`: id, created_at, file count, bytes per line. `ls objects [PREFIX]`: size,
// created_at and key (or id) per line, the configured namespace and tenant.
Status run_ls(const Context& context, const std::string& what, const std::string& prefix);

// `get KEY|ID [FILE]`: to FILE (temp + rename), to stdout when FILE is "-" or absent and stdout
// is not a terminal, else to ./<last key segment or id>. The content's SHA-256 is checked against
// the ETag: DataLoss (exit 3) when it differs (a file is then not created).
Status run_get(const Context& context, const std::string& name, std::optional<std::string> file,
               bool force_key);

// `put FILE KEY`: hashes FILE; a key already holding that content is left alone (reported as
// unchanged); otherwise POST /v1/objects with X-Content-SHA256. AlreadyExists (exit 2) when the
// key holds other content, unless `replace` (then it is deleted first).
Status run_put(const Context& context, const std::string& file, const std::string& key,
               bool replace);

// `rm KEY|ID` or `rm --bundle ID`.
Status run_rm(const Context& context, const std::string& name, bool bundle, bool force_key);

// `stat KEY|ID`: the object's size, content type, SHA-256 and dates (by key: its JSON from the
// listing; by id: from HEAD). `stat --bundle ID`: the bundle's summary.
Status run_stat(const Context& context, const std::string& name, bool bundle, bool force_key);

}  // namespace castor::client
