#pragma once
// public_suffixes: the Public Suffix List through libpsl, for the WPAD name-collision guard (never
// ask for `wpad.<public suffix>`, e.g. wpad.co.uk, where anyone may register the name).
//
// Uses Debian's `publicsuffix` data (/usr/share/publicsuffix/public_suffix_list.dafsa) or a file
// given explicitly; libpsl's built-in list when neither loads. A top-level domain the list does not
// name ("test", "corp") counts as public (the list's implicit `*` rule). Thread-safe after
// construction (libpsl contexts are read-only).
#include <memory>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

struct psl_ctx_st;

namespace wpadkit::wpad {

class public_suffixes {
 public:
  // `file`: a .dat or .dafsa file; empty for the system's newest list.
  // Errors: errc::io when `file` is given and cannot be loaded; errc::config when no list at all.
  static result<public_suffixes> load(const std::string& file = {});

  // Whether `domain` (lower case, no trailing dot) is itself a public suffix.
  bool is_public_suffix(std::string_view domain) const;
  // The organisation's domain: the public suffix plus one label ("example.co.uk"); empty when
  // `domain` is itself a public suffix.
  std::string registrable_domain(std::string_view domain) const;

 private:
  struct deleter {
    void operator()(psl_ctx_st* p) const noexcept;
  };
  explicit public_suffixes(psl_ctx_st* ctx) : ctx_(ctx, deleter{}) {}
  std::shared_ptr<psl_ctx_st> ctx_;
};

}  // namespace wpadkit::wpad
