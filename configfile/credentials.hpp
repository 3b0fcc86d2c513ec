#pragma once
// configfile::credentials — the secrets of proxy authentication as a settings file or a command
// line names them, turned into forward::proxy_config's `users` and `upstream_auth` at the program
// edge:
//   - the users file (htpasswd layout, read by forward::load_users_file);
//   - each upstream password, given literally, in a file, or in an environment variable. A
//     password on a command line shows in `ps` and in shell history; a file (mode 0600) or the
//     environment of a service manager does not, so those are the ways to prefer:
//       TOML [proxy] upstream_auth = [{ proxy = "squid.corp:3128", user = "svc",
//                                       password | password_file | password_env = "...",
//                                       scheme = "basic" (default) | "ntlm", domain = "CORP" }]
//       flags   --upstream-auth      HOST:PORT=USER:PASSWORD
//               --upstream-auth-file HOST:PORT=USER:PATH     (the file's first line)
//               --upstream-auth-env  HOST:PORT=USER:VARIABLE
//               --upstream-auth-scheme HOST:PORT=ntlm       (for the entry of that proxy)
//     For NTLM the user may be written DOMAIN\user instead of giving `domain`.
// Each entry remembers where it was given (`origin`: "file:line" or the flag), so that a missing
// file or unset variable is reported against the line an administrator has to edit.
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/forward/proxy_config.hpp"

namespace wpadkit::configfile {

struct secret_source {
  enum class kind { literal, file, env };
  kind from = kind::literal;
  std::string value;  // the password, a path, or a variable name
};

struct upstream_auth_entry {
  std::string proxy;  // "host:port" as the PAC names the hop
  std::string user;   // for NTLM also "DOMAIN\\user"
  forward::upstream_scheme scheme = forward::upstream_scheme::basic;
  std::string domain;  // NTLM only
  secret_source password;
  std::string origin;  // "p.toml:12" or "--upstream-auth-env"
};

// Parses a flag value "HOST:PORT=USER:REST" (REST: the password, path or variable, as `from` says).
// Errors: errc::parse naming the flag and what is missing.
result<upstream_auth_entry> parse_upstream_auth_flag(std::string_view text,
                                                     secret_source::kind from,
                                                     const std::string& flag);

// Applies a flag value "HOST:PORT=SCHEME" to the entry for that proxy in `entries`. Errors:
// errc::parse naming the flag: no '=', an unknown scheme, or no entry for HOST:PORT.
result<void> apply_upstream_scheme_flag(std::string_view text,
                                        std::vector<upstream_auth_entry>& entries,
                                        const std::string& flag);

// The password an entry names: a file's first line (without its line end), or the variable's value.
// Errors: errc::io (unreadable or empty file), errc::config (unset variable), naming the origin.
result<std::string> read_secret(const secret_source& s, const std::string& origin);

// Resolves every entry's password. Errors: those of read_secret.
result<std::vector<forward::upstream_credentials>> resolve_upstream_auth(
    const std::vector<upstream_auth_entry>& entries);

// Loads a users file given at `origin`. Errors: those of forward::load_users_file (at path:line),
// with "(users file given at <origin>)" appended.
result<std::vector<forward::proxy_user>> load_users(const std::string& path,
                                                    const std::string& origin);

}  // namespace wpadkit::configfile
