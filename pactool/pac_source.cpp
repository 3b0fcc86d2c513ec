#include "pactool/pac_source.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pactool/commands.hpp"
#include "pactool/output.hpp"
#include "proxycore/wpad/pac_fetcher.hpp"

namespace pactool {

using wpadkit::errc;
using wpadkit::error;
using wpadkit::result;

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return error(errc::io, std::string("cannot open: ") + std::strerror(errno)).at(path);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return error(errc::io, "read error").at(path);
  return buf.str();
}

result<pac_text> read_pac(const std::string& file_or_url, std::size_t max_bytes) {
  if (starts_with_ci(file_or_url, "http://") || starts_with_ci(file_or_url, "https://")) {
    wpadkit::wpad::fetch_options opts;
    opts.max_bytes = max_bytes;
    auto fetched = wpadkit::wpad::fetch_pac(file_or_url, opts);
    if (!fetched) {
      auto e = fetched.error();
      if (e.where.empty()) e.where = file_or_url;
      return e;
    }
    if (!fetched->usable()) {
      for (const auto& f : fetched->findings) {
        if (f.level == wpadkit::wpad::fetch_finding::severity::error) {
          return error(errc::http, f.message).at(file_or_url);
        }
      }
      return error(errc::http, "the response is not usable as a PAC file").at(file_or_url);
    }
    return pac_text{std::move(fetched->body), file_or_url};
  }
  std::string path = file_or_url;
  if (starts_with_ci(path, "file://")) path = path.substr(7);
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(errc::io, std::string("cannot open: ") + std::strerror(errno)).at(path);
  std::string text;
  text.resize(max_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return error(errc::io, "read error").at(path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  return pac_text{std::move(text), path};
}

std::variant<pac_job, int> open_pac_job(const engine_flags& flags, const std::string& file_or_url) {
  auto setup = make_engine_setup(flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  auto pac = read_pac(file_or_url, setup->options.max_pac_bytes);
  if (!pac) {
    print_error(pac.error());
    return exit_input;
  }
  return pac_job{std::move(*setup), std::move(*pac)};
}

result<wpadkit::pac::engine> load_engine(const pac_text& pac, const engine_setup& setup,
                                         const environment_settings& settings) {
  auto env = make_environment(settings);
  if (!env) return env.error();
  return wpadkit::pac::engine::load(pac.text, pac.name, std::move(*env), setup.options);
}

wpadkit::result<wpadkit::pac::request> pac_request_for(std::string_view url, std::string_view host) {
  auto r = wpadkit::pac::canonical_request(url);
  if (r && !host.empty()) r->host = std::string(host);
  return r;
}

std::string error_kind(const wpadkit::error& e) {
  if (e.code.category() == wpadkit::wpadkit_category()) {
    return wpadkit::errc_name(static_cast<errc>(e.code.value()));
  }
  return "error";
}

wpadkit::result<url_list> read_url_list(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_url_list(*text, path);
}

void report_skipped_lines(const url_list& urls, const std::string& path) {
  if (urls.skipped) {
    std::cerr << "pactool: " << path << ": skipped " << urls.skipped << " log lines without a URL\n";
  }
}

}  // namespace pactool
