#pragma once
// pac_source — getting a PAC script into an engine for a subcommand: read it from a file or fetch it
// from an http(s) URL (as browsers do, through wpad::fetch_pac), then load it with the environment
// the common flags describe. Also the URL → host rule FindProxyForURL's second argument follows.
#include <string>
#include <string_view>
#include <variant>

#include "pactool/engine_flags.hpp"
#include "pactool/url_list.hpp"
#include "proxycore/base/error.hpp"
#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_request.hpp"

namespace pactool {

struct pac_text {
  std::string text;
  std::string name;  // the file name or URL, for messages
};

// Reads `file_or_url` (a path, file://, http:// or https://). At most `max_bytes` + 1 bytes are read
// so that the engine can name the size problem. Errors: errc::io (unreadable file), errc::http
// (a response browsers would not use), errc::timeout / errc::http for unreachable URLs.
wpadkit::result<pac_text> read_pac(const std::string& file_or_url, std::size_t max_bytes);

// What test, explain, coverage and bench start from: the engine set-up the flags describe, and the PAC
// they name, read with that set-up's size limit.
struct pac_job {
  engine_setup setup;
  pac_text pac;
};
// The job, or the exit code after printing why: exit_usage (a bad engine flag), exit_input (the PAC
// cannot be read or fetched).
std::variant<pac_job, int> open_pac_job(const engine_flags& flags, const std::string& file_or_url);

// Reads a whole local file. Errors: errc::io naming the file and the reason.
wpadkit::result<std::string> read_file(const std::string& path);

// Reads and parses a URL list or access log (`diff`, `coverage`, `bench`). Errors: errc::io naming the
// file, errc::parse at file:line.
wpadkit::result<url_list> read_url_list(const std::string& path);

// Tells stderr how many log lines of `path` carried no URL (nothing when none did).
void report_skipped_lines(const url_list& urls, const std::string& path);

// Loads `pac` with the environment described by `settings` and the engine options of `setup`.
wpadkit::result<wpadkit::pac::engine> load_engine(const pac_text& pac, const engine_setup& setup,
                                                  const environment_settings& settings);

// The (url, host) FindProxyForURL is called with for `url`: pac::canonical_request, the one canonical
// request shared with pacserver's validation and the forwarding proxy (lower-cased host, no userinfo
// or fragment, https:/wss: stripped to "/", IDN as punycode). A `host` given explicitly (--host, a
// host column) replaces the derived one as written, to try what a browser would not send.
// Errors: errc::parse naming the URL.
wpadkit::result<wpadkit::pac::request> pac_request_for(std::string_view url, std::string_view host = {});

// The short name of an engine error's kind ("syntax", "exception", ...).
std::string error_kind(const wpadkit::error& e);

}  // namespace pactool
