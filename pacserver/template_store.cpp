#include "pacserver/template_store.hpp"

#include <fstream>
#include <sstream>

namespace wpadkit::pacserver {

std::filesystem::path template_store::file_of(std::string_view name) const {
  if (dir_.empty()) return {};
  return dir_ / (std::string(name) + ".pac.mustache");
}

result<template_text> template_store::get(std::string_view name) const {
  if (dir_.empty()) {
    const auto& all = embedded_templates();
    const auto it = all.find(name);
    if (it == all.end())
      return error(errc::config, "unknown template \"" + std::string(name) + "\"");
    return template_text{std::string(it->second), "<built-in>/" + std::string(name)};
  }
  const auto path = file_of(name);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error(errc::io, "cannot read template \"" + std::string(name) + "\"").at(path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return template_text{text.str(), path.string()};
}

}  // namespace wpadkit::pacserver
