#pragma once
// proxy_pac_watch — where `pactool proxy` gets its PAC, and how it notices a change: a file
// (reloaded when its mtime or size changes, and on SIGHUP) or an http(s) URL (re-fetched every
// refetch interval with If-None-Match / If-Modified-Since, sooner after a failure; the last good
// PAC keeps serving when a fetch or a load fails). A URL is fetched by wpad::fetch_pac, which never
// uses a proxy, so the PAC is never fetched through ourselves. WPAD discovery (`--pac auto`) is
// proxy_wpad_watch.hpp, built on url_watch.
//
// Every watch runs on the thread that calls it (pactool proxy's signal loop) and prints what it did
// on stderr, one line each.
#include <chrono>
#include <memory>
#include <string>

#include "proxycore/forward/pac_decisions.hpp"
#include "proxycore/wpad/pac_fetcher.hpp"

namespace pactool {

class pac_watch {
 public:
  virtual ~pac_watch() = default;
  // The first load. False when nothing usable was loaded: fatal for a file, not for a URL or WPAD
  // (the no-PAC policy applies until a PAC arrives) — see must_load_at_start().
  virtual bool start() = 0;
  virtual bool must_load_at_start() const = 0;
  virtual void reload() = 0;  // SIGHUP: load or fetch (or discover) again now, unconditionally
  virtual void tick() = 0;    // about once a second: whatever is due
};

// A PAC file. `decisions` must outlive the watch.
std::unique_ptr<pac_watch> make_file_watch(std::string path,
                                           wpadkit::forward::pac_decisions& decisions,
                                           std::size_t max_bytes);

class url_watch final : public pac_watch {
 public:
  // `decisions` must outlive the watch.
  url_watch(std::string url, wpadkit::forward::pac_decisions& decisions, std::size_t max_bytes,
            std::chrono::milliseconds refetch);

  bool start() override { return fetch(true); }
  bool must_load_at_start() const override { return false; }
  void reload() override { fetch(true); }
  void tick() override;

  // Installs a PAC fetched from url() elsewhere (by WPAD discovery) and keeps its validators for
  // the next conditional fetch. False when it does not load (the previous PAC keeps serving).
  bool adopt(const wpadkit::wpad::fetch_result& fetched);
  const std::string& url() const { return url_; }

 private:
  bool fetch(bool forced);
  bool report(const wpadkit::error& e);

  std::string url_;
  wpadkit::forward::pac_decisions& decisions_;
  std::size_t max_bytes_;
  std::chrono::milliseconds refetch_;
  std::string etag_, last_modified_;
  std::chrono::steady_clock::time_point next_fetch_{};
};

// Installs `text` as the PAC from `source` and prints "loaded PAC ..."; on failure prints the error
// and whether the previous PAC keeps serving. Returns whether it loaded.
bool install_pac(wpadkit::forward::pac_decisions& decisions, const std::string& text,
                 const std::string& source);

}  // namespace pactool
