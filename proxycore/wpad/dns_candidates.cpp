#include "proxycore/wpad/dns_candidates.hpp"

#include <algorithm>
#include <cctype>

namespace wpadkit::wpad {
namespace {

std::string normalize(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!out.empty() && out.back() == '.') out.pop_back();
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out;
}

// "a.b.c" → {"a.b.c", "b.c", "c"}
std::vector<std::string> suffixes_of(const std::string& domain) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (true) {
    out.push_back(domain.substr(at));
    const auto dot = domain.find('.', at);
    if (dot == std::string::npos) break;
    at = dot + 1;
  }
  return out;
}

std::size_t labels(const std::string& domain) {
  return static_cast<std::size_t>(std::count(domain.begin(), domain.end(), '.')) + 1;
}

dns_candidate make(const std::string& domain) {
  dns_candidate c;
  c.host = "wpad." + domain;
  c.url = "http://" + c.host + "/wpad.dat";
  return c;
}

// Windows: devolve to two labels (a single-label suffix is still asked once).
void windows_walk(const std::string& suffix, const public_suffix_test& is_public, candidate_plan& plan,
                  bool guard) {
  const auto all = suffixes_of(suffix);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0 && labels(all[i]) < 2) break;
    auto c = make(all[i]);
    c.under_public_suffix = is_public && is_public(all[i]);
    if (guard && c.under_public_suffix) {
      plan.notes.push_back(c.host + " not asked: " + all[i] +
                           " is a public suffix (WPAD name-collision guard)");
      break;  // every later parent is shorter, hence public too
    }
    plan.candidates.push_back(std::move(c));
  }
}

void kde_walk(const std::string& suffix, const public_suffix_test& is_public, candidate_plan& plan) {
  const auto all = suffixes_of(suffix);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0 && labels(all[i]) < 2) break;
    auto c = make(all[i]);
    c.under_public_suffix = is_public && is_public(all[i]);
    if (i > 0) c.stop_if_soa = all[i];
    plan.candidates.push_back(std::move(c));
  }
}

}  // namespace

result<client_kind> parse_client_kind(std::string_view name) {
  const std::string n = normalize(name);
  if (n == "standard" || n == "default" || n == "wpadkit") return client_kind::standard;
  if (n == "chrome" || n == "chromium") return client_kind::chrome;
  if (n == "firefox") return client_kind::firefox;
  if (n == "libproxy") return client_kind::libproxy;
  if (n == "windows" || n == "winhttp") return client_kind::windows;
  if (n == "kde") return client_kind::kde;
  return error(errc::parse, "unknown client '" + std::string(name) +
                                "' (expected standard, chrome, firefox, libproxy, windows, kde or all)");
}

const char* client_name(client_kind k) noexcept {
  switch (k) {
    case client_kind::standard: return "standard";
    case client_kind::chrome: return "chrome";
    case client_kind::firefox: return "firefox";
    case client_kind::libproxy: return "libproxy";
    case client_kind::windows: return "windows";
    case client_kind::kde: return "kde";
  }
  return "?";
}

std::vector<client_kind> all_client_kinds() {
  return {client_kind::standard, client_kind::windows, client_kind::chrome,
          client_kind::firefox,  client_kind::libproxy, client_kind::kde};
}

bool client_uses_dhcp(client_kind k) noexcept {
  return k == client_kind::standard || k == client_kind::windows || k == client_kind::chrome ||
         k == client_kind::firefox;
}

candidate_plan dns_candidates(client_kind client, std::string_view suffix_in,
                              const public_suffix_test& is_public_suffix) {
  candidate_plan plan;
  const std::string suffix = normalize(suffix_in);
  switch (client) {
    case client_kind::chrome:
    case client_kind::firefox:
    case client_kind::libproxy: {
      dns_candidate c;
      c.host = "wpad";
      c.url = "http://wpad/wpad.dat";
      c.use_search_list = true;
      plan.candidates.push_back(std::move(c));
      return plan;
    }
    default:
      break;
  }
  if (suffix.empty()) {
    plan.notes.push_back(std::string(client_name(client)) +
                         ": no primary DNS suffix (give --domain, or set `search`/`domain` in "
                         "resolv.conf), so there is nothing to devolve");
    return plan;
  }
  if (client == client_kind::kde) {
    kde_walk(suffix, is_public_suffix, plan);
  } else {
    windows_walk(suffix, is_public_suffix, plan, client == client_kind::standard);
  }
  return plan;
}

}  // namespace wpadkit::wpad
