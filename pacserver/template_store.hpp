#pragma once
// template_store: where the mustache text of a PAC template comes from. By default the templates of
// pac-templates/ built into the binary; with server.templates_dir, files <dir>/<name>.pac.mustache
// read at every (re)load, so that editing one triggers a reload.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver {

// The templates compiled in from pac-templates/ (generated source).
const std::map<std::string, std::string_view, std::less<>>& embedded_templates();

struct template_text {
  std::string text;
  std::string origin;  // "<built-in>/corporate" or the file path, for error messages
};

class template_store {
 public:
  // `dir` empty: the built-in templates.
  explicit template_store(std::filesystem::path dir = {}) : dir_(std::move(dir)) {}

  // Errors: errc::config (unknown template), errc::io (file unreadable).
  result<template_text> get(std::string_view name) const;

  // The file `get(name)` reads, for the watcher (empty for built-in templates).
  std::filesystem::path file_of(std::string_view name) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace wpadkit::pacserver
