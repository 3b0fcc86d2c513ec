#pragma once
// pac::engine_pool — evaluates one PAC script from many threads: a fixed set of worker threads, each
// with its own engine (a Duktape heap belongs to one thread), fed from a queue. No lock is held while
// a script runs. reload() swaps in a new script atomically: calls already queued finish on the old
// one, later calls see the new one; a script that fails to load never replaces the serving one.
#include <functional>
#include <memory>
#include <string>

#include "proxycore/pac/pac_engine.hpp"

namespace wpadkit::pac {

class engine_pool {
 public:
  using completion = std::function<void(result<evaluation>)>;

  // Compiles `pac_text` once and loads the bytecode on each of `threads` workers (at least 1).
  // Errors: as engine::load.
  // The environment is shared by all workers: its resolver and clock must be thread-safe.
  static result<std::unique_ptr<engine_pool>> create(std::string pac_text, std::string source_name,
                                                     environment env, engine_options options,
                                                     unsigned threads);
  ~engine_pool();  // stops the workers; queued calls complete with errc::pac_exception "shutting down"

  // Asynchronous: `done` runs on a worker thread (post to your own executor from it). Never blocks.
  void find_proxy(std::string url, std::string host, completion done);
  // Synchronous convenience: blocks the caller until a worker answers.
  result<evaluation> find_proxy_sync(std::string url, std::string host);

  // Compiles a new script once, loads it on every worker, and swaps it in only if all loaded. On error
  // the old script keeps serving and the error is returned.
  result<void> reload(std::string pac_text, std::string source_name);

  // Increases on every successful reload (starts at 1): engines made for other threads key on it.
  unsigned long version() const;
  // As engine::reads_clock_or_local_address, for the script serving now (known from its compile:
  // asking costs no extra engine).
  bool reads_clock_or_local_address() const;

  // Another engine for the script serving now, loaded from its bytecode (no compile again), for a
  // caller that evaluates on a thread of its own. `env` is that engine's environment (parts left
  // unset: the pool's). `version` says which script it runs. Errors: as engine::load.
  struct detached_engine {
    unsigned long version = 0;
    engine eng;
  };
  result<detached_engine> load_engine(environment env, engine_options options) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  explicit engine_pool(std::unique_ptr<impl> p);
};

}  // namespace wpadkit::pac
