#include "support/test_database.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>
#include <utility>

#include <pqxx/pqxx>

namespace castor::testing {
namespace {

// Lowercase [a-z0-9_] only, so that the name needs no quoting anywhere and cannot collide by case.
std::string sanitize(std::string_view prefix) {
  std::string out;
  for (char c : prefix.substr(0, 32)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out.empty() ? std::string("test") : out;
}

std::string random_suffix() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> distribution(0, 0xffffff);
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string suffix;
  for (unsigned value = distribution(device), i = 0; i < 6; ++i, value >>= 4) {
    suffix.push_back(kHexDigits[value & 0xf]);
  }
  return suffix;
}

bool is_uri(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace

std::string with_database_name(std::string_view url, std::string_view database) {
  if (is_uri(url)) {
    const std::size_t authority = url.find("://") + 3;
    const std::size_t path = url.find_first_of("/?#", authority);
    if (path == std::string_view::npos) {
      return std::string(url) + "/" + std::string(database);
    }
    const std::size_t path_end =
        url[path] == '/' ? url.find_first_of("?#", path) : path;  // empty path: insert one
    std::string result(url.substr(0, path));
    result += "/";
    result += database;
    if (path_end != std::string_view::npos) {
      result += url.substr(path_end);
    }
    return result;
  }
  if (url.find('=') != std::string_view::npos) {
    // Key/value form: replace an existing dbname=... (unquoted value) or append one.
    std::string result(url);
    for (std::size_t pos = result.find("dbname="); pos != std::string::npos;
         pos = result.find("dbname=", pos + 1)) {
      if (pos == 0 || std::isspace(static_cast<unsigned char>(result[pos - 1]))) {
        const std::size_t value = pos + 7;
        std::size_t end = value;
        while (end < result.size() && !std::isspace(static_cast<unsigned char>(result[end]))) {
          ++end;
        }
        return result.replace(value, end - value, database);
      }
    }
    return result + " dbname=" + std::string(database);
  }
  throw std::invalid_argument("unrecognised PostgreSQL connection string: " + std::string(url));
}

TestDatabase TestDatabase::create(std::string prefix) {
  const char* admin_url = std::getenv("DATABASE_URL");
  if (admin_url == nullptr || *admin_url == '\0') {
    throw std::runtime_error(
        "DATABASE_URL is not set: these tests need a PostgreSQL superuser connection "
        "(scripts/test starts one and sets it)");
  }
  std::string name = sanitize(prefix) + "_" + std::to_string(::getpid()) + "_" + random_suffix();
  try {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot create test database " + name + ": " + e.what());
  }
  std::string url = with_database_name(admin_url, name);
  return TestDatabase(admin_url, std::move(name), std::move(url));
}

TestDatabase::TestDatabase(std::string admin_url, std::string name, std::string url)
    : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : admin_url_(std::exchange(other.admin_url_, {})),
      name_(std::move(other.name_)),
      url_(std::move(other.url_)) {}

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    drop();
    admin_url_ = std::exchange(other.admin_url_, {});
    name_ = std::move(other.name_);
    url_ = std::move(other.url_);
  }
  return *this;
}

TestDatabase::~TestDatabase() { drop(); }

void TestDatabase::drop() noexcept {
  if (admin_url_.empty()) {
    return;
  }
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: cannot drop test database " << name_ << ": " << e.what() << "\n";
  }
  admin_url_.clear();
}

}  // namespace castor::testing
