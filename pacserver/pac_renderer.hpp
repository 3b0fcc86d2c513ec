#pragma once
// pac_renderer: turns one variant of the config into PAC text through its mustache template.
//
// The renderer builds the template's data from the variant's rule set (every rule carries the
// dotted config entry that produced it, printed as a comment beside the rule) and checks the output
// is ASCII-only (PAC files are served as charset=us-ascii; Chromium rejects others in some paths).
// Templates use {{{x}}} for the JavaScript expressions the renderer builds from validated entries;
// {{x}} escapes for a JavaScript string literal.
#include <string>

#include "pacserver/config.hpp"
#include "pacserver/template_store.hpp"

namespace wpadkit::pacserver {

// Renders `v`. Errors: errc::config naming the variant's config line (a template that does not
// parse, a rule set the template cannot use, non-ASCII output), errc::io (template file
// unreadable).
result<std::string> render_pac(const server_config& config, const variant& v,
                               const template_store& templates);

// The PAC result string of a chain of proxy names ("main", "DIRECT", "bundled").
std::string chain_result(const server_config& config, const std::vector<std::string>& chain);

// The JavaScript condition matching one direct_domains/route domain entry against `host`.
std::string domain_test(const std::string& entry);

}  // namespace wpadkit::pacserver
