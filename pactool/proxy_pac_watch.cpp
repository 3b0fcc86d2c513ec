#include "pactool/proxy_pac_watch.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <iostream>

#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"

namespace pactool {
namespace {

namespace fwd = wpadkit::forward;
using wpadkit::errc;
using wpadkit::error;

void report_failure(const fwd::pac_decisions& decisions, const error& e) {
  print_error(e.to_string() +
              (decisions.ready() ? " (keeping the previous PAC)" : " (no PAC loaded)"));
}

class file_watch final : public pac_watch {
 public:
  file_watch(std::string path, fwd::pac_decisions& decisions, std::size_t max_bytes)
      : path_(std::move(path)), decisions_(decisions), max_bytes_(max_bytes) {}

  bool start() override { return load(true); }
  bool must_load_at_start() const override { return true; }
  void reload() override { load(true); }
  void tick() override { load(false); }

 private:
  bool load(bool forced) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      report_failure(decisions_, error(errc::io, "cannot read the PAC file").at(path_));
      return false;
    }
    if (!forced && st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
        st.st_size == size_) {
      return true;
    }
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    auto text = read_pac(path_, max_bytes_);
    if (!text) {
      report_failure(decisions_, text.error());
      return false;
    }
    return install_pac(decisions_, text->text, path_);
  }

  std::string path_;
  fwd::pac_decisions& decisions_;
  std::size_t max_bytes_;
  timespec mtime_{};
  off_t size_ = -1;
};

}  // namespace

bool install_pac(fwd::pac_decisions& decisions, const std::string& text,
                 const std::string& source) {
  auto ok = decisions.load(text, source);
  if (!ok) {
    report_failure(decisions, ok.error());
    return false;
  }
  std::cerr << "pactool proxy: loaded PAC " << source << " (version " << decisions.version() << ")"
            << std::endl;
  return true;
}

std::unique_ptr<pac_watch> make_file_watch(std::string path, fwd::pac_decisions& decisions,
                                           std::size_t max_bytes) {
  return std::make_unique<file_watch>(std::move(path), decisions, max_bytes);
}

url_watch::url_watch(std::string url, fwd::pac_decisions& decisions, std::size_t max_bytes,
                     std::chrono::milliseconds refetch)
    : url_(std::move(url)), decisions_(decisions), max_bytes_(max_bytes), refetch_(refetch) {}

void url_watch::tick() {
  if (std::chrono::steady_clock::now() >= next_fetch_) fetch(false);
}

bool url_watch::fetch(bool forced) {
  wpadkit::wpad::fetch_options fo;
  fo.max_bytes = max_bytes_;
  if (!forced && !etag_.empty()) fo.if_none_match = etag_;
  if (!forced && !last_modified_.empty()) fo.if_modified_since = last_modified_;
  // A failure is retried sooner than a success is refreshed.
  next_fetch_ =
      std::chrono::steady_clock::now() + std::min(refetch_, std::chrono::milliseconds(30000));
  auto r = wpadkit::wpad::fetch_pac(url_, fo);
  if (!r) return report(r.error());
  if (r->not_modified) {
    next_fetch_ = std::chrono::steady_clock::now() + refetch_;
    return true;
  }
  if (!r->usable()) {
    std::string why = "status " + std::to_string(r->status);
    for (const auto& f : r->findings) {
      if (f.level == wpadkit::wpad::fetch_finding::severity::error) why = f.message;
    }
    return report(error(errc::http, why).at(url_));
  }
  return adopt(*r);
}

bool url_watch::adopt(const wpadkit::wpad::fetch_result& fetched) {
  etag_ = fetched.etag;
  last_modified_ = fetched.last_modified;
  next_fetch_ = std::chrono::steady_clock::now() + refetch_;
  return install_pac(decisions_, fetched.body, url_);
}

bool url_watch::report(const error& e) {
  report_failure(decisions_, e);
  return false;
}

}  // namespace pactool
