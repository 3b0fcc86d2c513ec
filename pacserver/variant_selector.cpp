#include "pacserver/variant_selector.hpp"

#include <algorithm>

namespace wpadkit::pacserver {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Host header without port and trailing dot, lower-cased ("[::1]:80" → "::1").
std::string host_only(std::string_view h) {
  h = trim(h);
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    h = h.substr(1, close == std::string_view::npos ? h.size() - 1 : close - 1);
  } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  std::string out(h);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool variant_matches(const variant& v, const ip_address& client, const request_facts& facts) {
  if (!v.match_clients.empty() && !any_contains(v.match_clients, client)) return false;
  if (!v.match_hosts.empty() &&
      std::none_of(v.match_hosts.begin(), v.match_hosts.end(),
                   [&](const std::string& e) { return host_matches(facts.host, e); })) {
    return false;
  }
  if (!v.match_user_agents.empty() &&
      std::none_of(
          v.match_user_agents.begin(), v.match_user_agents.end(),
          [&](const std::string& s) { return facts.user_agent.find(s) != std::string::npos; })) {
    return false;
  }
  return true;
}

}  // namespace

bool host_matches(std::string_view host_header, std::string_view entry) {
  const auto h = host_only(host_header);
  if (h.empty() || entry.empty()) return false;
  if (entry.front() == '.') {
    return h.size() > entry.size() && h.compare(h.size() - entry.size(), entry.size(), entry) == 0;
  }
  return h == entry;
}

result<ip_address> client_address(const request_facts& facts, const std::vector<cidr>& trusted) {
  auto peer = parse_ip(facts.peer);
  if (!peer) return error(errc::parse, "peer address " + peer.error().message);
  if (facts.forwarded_for.empty() || !any_contains(trusted, *peer)) return *peer;
  // Walk X-Forwarded-For from the right: each entry was appended by the hop after it.
  std::string_view rest = facts.forwarded_for;
  ip_address current = *peer;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const auto entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    auto a = parse_ip(entry);
    if (!a)
      return error(errc::parse, "X-Forwarded-For: " + a.error().message).at("X-Forwarded-For");
    current = *a;
    if (!any_contains(trusted, current)) break;
  }
  return current;
}

const variant& select_variant(const server_config& config, const ip_address& client,
                              const request_facts& facts) {
  for (const auto& v : config.variants) {
    if (variant_matches(v, client, facts)) return v;
  }
  return *config.find_variant(config.default_variant);
}

}  // namespace wpadkit::pacserver
