#include "proxycore/wpad/public_suffixes.hpp"

#include <libpsl.h>

namespace wpadkit::wpad {

void public_suffixes::deleter::operator()(psl_ctx_st* p) const noexcept {
  // The built-in context is static and must not be freed; psl_free ignores it.
  psl_free(p);
}

result<public_suffixes> public_suffixes::load(const std::string& file) {
  if (!file.empty()) {
    psl_ctx_t* ctx = psl_load_file(file.c_str());
    if (ctx == nullptr) return error(errc::io, "cannot load the Public Suffix List").at(file);
    return public_suffixes(ctx);
  }
  psl_ctx_t* ctx = psl_latest(nullptr);
  if (ctx == nullptr) ctx = const_cast<psl_ctx_t*>(psl_builtin());
  if (ctx == nullptr) {
    return error(errc::config,
                 "no Public Suffix List available (install the Debian package 'publicsuffix')");
  }
  return public_suffixes(ctx);
}

bool public_suffixes::is_public_suffix(std::string_view domain) const {
  const std::string d(domain);
  return psl_is_public_suffix(ctx_.get(), d.c_str()) != 0;
}

std::string public_suffixes::registrable_domain(std::string_view domain) const {
  const std::string d(domain);
  const char* r = psl_registrable_domain(ctx_.get(), d.c_str());
  return r == nullptr ? std::string() : std::string(r);
}

}  // namespace wpadkit::wpad
