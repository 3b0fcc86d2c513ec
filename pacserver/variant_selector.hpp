#pragma once
// variant_selector: which PAC variant a request gets, and from which client address.
//
// The client is the TCP peer, unless the peer is a trusted proxy (server.trusted_proxies): then it
// is the right-most X-Forwarded-For entry that is not itself a trusted proxy (the first hop we
// cannot vouch for — entries left of it could be forged by the client). Variants are tried in
// config order and the first whose every given condition holds wins (match_clients: the client is
// in one of the networks; match_hosts: the Host header, port and trailing dot ignored, equals or —
// for ".suffix" — ends with one entry; match_user_agents: the User-Agent contains one substring). A
// variant with no conditions matches everyone. When none matches, the default variant is chosen.
#include <optional>
#include <string>
#include <string_view>

#include "pacserver/config.hpp"

namespace wpadkit::pacserver {

struct request_facts {
  std::string peer;           // TCP peer address as text
  std::string host;           // Host header (may be empty)
  std::string user_agent;     // User-Agent header (may be empty)
  std::string forwarded_for;  // X-Forwarded-For header (may be empty)
};

// The effective client address. Errors: errc::parse when the peer, or the X-Forwarded-For entry
// that is used, is not an IP address (the message names the header).
result<ip_address> client_address(const request_facts& facts, const std::vector<cidr>& trusted);

// The variant for `client` and the request headers. Never null: falls back to the default variant.
const variant& select_variant(const server_config& config, const ip_address& client,
                              const request_facts& facts);

// True if `host_header` (e.g. "wpad.corp.example:8080") matches a match_hosts entry.
bool host_matches(std::string_view host_header, std::string_view entry);

}  // namespace wpadkit::pacserver
