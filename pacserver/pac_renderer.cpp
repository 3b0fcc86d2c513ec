#include "pacserver/pac_renderer.hpp"

#include <algorithm>
#include <kainjow/mustache.hpp>

namespace wpadkit::pacserver {

namespace {

using kainjow::mustache::data;

// Escapes text for a double-quoted JavaScript string literal, keeping the output ASCII.
std::string js_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string network_test(const cidr& n) {
  if (n.is_v4()) {
    return "isV4 && isInNet(host, \"" + n.network().to_string() + "\", \"" + n.v4_mask() + "\")";
  }
  return "isV6 && isInNetEx(host, \"" + n.to_string() + "\")";
}

std::string join_or(const std::vector<std::string>& tests) {
  std::string out;
  for (const auto& t : tests) {
    if (!out.empty()) out += " ||\n      ";
    out += tests.size() > 1 && t.find("&&") != std::string::npos ? "(" + t + ")" : t;
  }
  return out;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

data rule(std::string test, std::string entry) {
  data d;
  d.set("test", std::move(test));
  d.set("entry", std::move(entry));
  return d;
}

data rules_data(const server_config& config, const ruleset& rs) {
  const std::string key = "rulesets." + rs.name;
  data ctx;
  ctx.set("direct_plain_hostnames", rs.direct_plain_hostnames);
  ctx.set("plain_entry", key + ".direct_plain_hostnames");
  data domains{data::type::list};
  for (std::size_t i = 0; i < rs.direct_domains.size(); ++i) {
    domains.push_back(
        rule(domain_test(rs.direct_domains[i]),
             key + ".direct_domains[" + std::to_string(i) + "] " + quoted(rs.direct_domains[i])));
  }
  ctx.set("has_direct_domains", !rs.direct_domains.empty());
  ctx.set("direct_domains", domains);
  data networks{data::type::list};
  for (std::size_t i = 0; i < rs.direct_networks.size(); ++i) {
    networks.push_back(rule(network_test(rs.direct_networks[i]),
                            key + ".direct_networks[" + std::to_string(i) + "] " +
                                quoted(rs.direct_networks[i].to_string())));
  }
  ctx.set("has_direct_networks", !rs.direct_networks.empty());
  ctx.set("direct_networks", networks);
  data routes{data::type::list};
  for (std::size_t i = 0; i < rs.routes.size(); ++i) {
    const auto& r = rs.routes[i];
    std::vector<std::string> tests;
    for (const auto& d : r.domains) tests.push_back(domain_test(d));
    for (const auto& n : r.networks) tests.push_back(network_test(n));
    data d = rule(join_or(tests), key + ".routes[" + std::to_string(i) + "]");
    d.set("result", chain_result(config, r.via));
    routes.push_back(d);
  }
  ctx.set("has_routes", !rs.routes.empty());
  ctx.set("routes", routes);
  ctx.set("default_entry", key + ".default");
  ctx.set("default_result", chain_result(config, rs.default_chain));
  return ctx;
}

// The load-balanced template's array, and the default-chain entries that follow it.
result<void> pool_data(const server_config& config, const variant& v, const ruleset& rs,
                       data& ctx) {
  if (rs.pool.size() < 2) {
    return error(errc::config, v.source.key + ": template \"load-balanced\" needs rulesets." +
                                   rs.name + ".pool with at least two proxies")
        .at(v.source.file, v.source.line);
  }
  data pool{data::type::list};
  for (std::size_t i = 0; i < rs.pool.size(); ++i) {
    data p;
    p.set("pac", chain_result(config, {rs.pool[i]}));
    p.set("entry",
          "rulesets." + rs.name + ".pool[" + std::to_string(i) + "] " + quoted(rs.pool[i]));
    p.set("last", i + 1 == rs.pool.size());
    pool.push_back(p);
  }
  std::vector<std::string> tail;
  for (const auto& name : rs.default_chain) {
    if (std::find(rs.pool.begin(), rs.pool.end(), name) == rs.pool.end()) tail.push_back(name);
  }
  ctx.set("pool", pool);
  ctx.set("pool_entry", "rulesets." + rs.name + ".pool");
  ctx.set("pool_tail", tail.empty() ? std::string() : chain_result(config, tail));
  return {};
}

}  // namespace

std::string domain_test(const std::string& entry) {
  if (entry.find_first_of("*?") != std::string::npos)
    return "shExpMatch(host, " + quoted(entry) + ")";
  if (entry.front() == '.') {
    return "dnsDomainIs(host, " + quoted(entry) + ") || host == " + quoted(entry.substr(1));
  }
  return "host == " + quoted(entry);
}

std::string chain_result(const server_config& config, const std::vector<std::string>& chain) {
  std::string out;
  for (const auto& name : chain) {
    if (!out.empty()) out += "; ";
    if (name == "DIRECT") {
      out += "DIRECT";
    } else if (name == "bundled") {
      out += "PROXY " + config.proxy.listen.to_string();
    } else if (const auto* p = config.find_proxy(name)) {
      out += p->pac();
    }
  }
  return out.empty() ? "DIRECT" : out;
}

result<std::string> render_pac(const server_config& config, const variant& v,
                               const template_store& templates) {
  auto text = templates.get(v.template_name);
  if (!text) {
    auto e = text.error();
    e.message = v.source.key + ".template: " + e.message;
    if (e.where.empty()) e.at(v.source.file, v.source.line);
    return e;
  }
  kainjow::mustache::mustache tmpl{text->text};
  if (!tmpl.is_valid()) {
    return error(errc::config,
                 "template " + text->origin + " does not parse: " + tmpl.error_message())
        .at(v.source.file, v.source.line);
  }
  tmpl.set_custom_escape(js_escape);
  const ruleset& rs = config.ruleset_of(v);
  data ctx = rules_data(config, rs);
  ctx.set("variant", v.name);
  ctx.set("file_name", "wpad.dat");
  ctx.set("config_name", std::filesystem::path(config.file).filename().string());
  ctx.set("bundled_result", "PROXY " + config.proxy.listen.to_string() + "; DIRECT");
  if (v.template_name == "load-balanced") {
    if (auto ok = pool_data(config, v, rs, ctx); !ok) return ok.error();
  }
  std::string out = tmpl.render(ctx);
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (!tmpl.is_valid()) {
    return error(errc::config, "template " + text->origin + " failed: " + tmpl.error_message())
        .at(v.source.file, v.source.line);
  }
  const auto bad = std::find_if(out.begin(), out.end(), [](unsigned char c) {
    return c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r');
  });
  if (bad != out.end()) {
    return error(errc::config, v.source.key + ": the rendered PAC is not ASCII-only (byte " +
                                   std::to_string(bad - out.begin()) + ")")
        .at(v.source.file, v.source.line);
  }
  return out;
}

}  // namespace wpadkit::pacserver
