// pac::engine_pool — see pac_engine_pool.hpp.
//
// A generation is one loaded script: compiled once (compiled_pac), then one engine per worker loaded
// from that bytecode, engine i used only by worker i. Each job holds the generation that was current
// when it was queued, so queued calls finish on the script they were queued for while later calls see
// the new one; an old generation is freed with its last job.
// The mutex guards only the queue and the current generation, never a script run.
#include "proxycore/pac/pac_engine_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "proxycore/base/stack_thread.hpp"
#include "proxycore/pac/pac_compiled.hpp"

namespace wpadkit::pac {
namespace {


struct generation {
  unsigned long version = 0;
  bool reads_clock_or_address = false;
  std::shared_ptr<const compiled_pac> script;  // for engines loaded outside the pool (load_engine)
  std::vector<engine> engines;  // index = worker id
};

struct job {
  std::string url;
  std::string host;
  engine_pool::completion done;
  std::shared_ptr<generation> gen;
};

// Compiles the script once, then loads one engine per worker from its bytecode, in parallel (each
// still runs the script's top level in its own heap). Errors: the compile error, or the first load
// error; either way no generation is made.
result<std::shared_ptr<generation>> load_generation(const std::string& text, const std::string& name,
                                                    const environment& env,
                                                    const engine_options& options, unsigned n) {
  auto script = compiled_pac::compile(text, name, options);
  if (!script) return script.error();
  std::vector<std::optional<result<engine>>> loaded(n);
  std::vector<std::thread> loaders;
  for (unsigned i = 0; i < n; ++i) {
    loaders.emplace_back([&, i] { loaded[i].emplace(engine::load(**script, env, options)); });
  }
  for (auto& t : loaders) t.join();
  auto gen = std::make_shared<generation>();
  gen->reads_clock_or_address = (*script)->reads_clock_or_local_address();
  gen->script = *script;
  for (auto& r : loaded) {
    if (!*r) return r->error();
    gen->engines.push_back(std::move(**r));
  }
  return gen;
}

}  // namespace

struct engine_pool::impl {
  environment env;
  engine_options options;
  unsigned threads = 1;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<job> queue;
  std::shared_ptr<generation> current;
  bool stopping = false;
  std::atomic<unsigned long> version{1};
  std::mutex reload_mu;  // one reload at a time

  std::vector<stack_thread> workers;

  void run(unsigned id);
  bool start();
  void stop();
};

void engine_pool::impl::run(unsigned id) {
  for (;;) {
    job j;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) return;
      j = std::move(queue.front());
      queue.pop_front();
    }
    auto r = j.gen->engines[id].find_proxy(j.url, j.host);
    j.gen.reset();
    j.done(std::move(r));
  }
}

bool engine_pool::impl::start() {
  for (unsigned i = 0; i < threads; ++i) {
    auto t = stack_thread::start(limits::pac_call_stack_bytes, [this, i] { run(i); },
                                 "pac-eval/" + std::to_string(i));
    if (!t) return false;
    workers.push_back(std::move(*t));
  }
  return true;
}

void engine_pool::impl::stop() {
  std::deque<job> left;
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  for (auto& t : workers) t.join();
  {
    std::lock_guard lock(mu);
    left.swap(queue);
  }
  for (auto& j : left) j.done(error(errc::pac_exception, "the PAC engine pool is shutting down"));
}

engine_pool::engine_pool(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

engine_pool::~engine_pool() {
  if (impl_) impl_->stop();
}

result<std::unique_ptr<engine_pool>> engine_pool::create(std::string pac_text, std::string source_name,
                                                         environment env, engine_options options,
                                                         unsigned threads) {
  auto p = std::make_unique<impl>();
  p->threads = std::max(1u, threads);
  // Engines share the environment; fill in the defaults once so that all see the same sources.
  if (!env.resolver) return error(errc::config, "the PAC environment has no DNS resolver");
  if (!env.time) env.time = system_clock();
  if (!env.local) env.local = probed_local_addresses(env.resolver);
  p->env = std::move(env);
  p->options = options;
  auto gen = load_generation(pac_text, source_name, p->env, p->options, p->threads);
  if (!gen) return gen.error();
  (*gen)->version = 1;
  p->current = std::move(*gen);
  if (!p->start()) {
    p->stop();  // joins the workers that did start
    return error(errc::limit, "cannot start " + std::to_string(p->threads) + " PAC worker threads");
  }
  return std::unique_ptr<engine_pool>(new engine_pool(std::move(p)));
}

void engine_pool::find_proxy(std::string url, std::string host, completion done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->queue.push_back(job{std::move(url), std::move(host), std::move(done), impl_->current});
      impl_->cv.notify_one();
      return;
    }
  }
  done(error(errc::pac_exception, "the PAC engine pool is shutting down"));
}

result<evaluation> engine_pool::find_proxy_sync(std::string url, std::string host) {
  std::promise<result<evaluation>> answer;
  auto future = answer.get_future();
  find_proxy(std::move(url), std::move(host),
             [&answer](result<evaluation> r) { answer.set_value(std::move(r)); });
  return future.get();
}

result<void> engine_pool::reload(std::string pac_text, std::string source_name) {
  std::lock_guard serial(impl_->reload_mu);
  auto gen = load_generation(pac_text, source_name, impl_->env, impl_->options, impl_->threads);
  if (!gen) return gen.error();
  std::shared_ptr<generation> old;
  {
    std::lock_guard lock(impl_->mu);
    (*gen)->version = impl_->version.load() + 1;
    old = std::exchange(impl_->current, std::move(*gen));
    impl_->version.store(impl_->current->version);
  }
  return {};  // `old` is freed here or with the last queued job that still uses it
}

unsigned long engine_pool::version() const { return impl_->version.load(); }

bool engine_pool::reads_clock_or_local_address() const {
  std::lock_guard lock(impl_->mu);
  return impl_->current->reads_clock_or_address;
}

result<engine_pool::detached_engine> engine_pool::load_engine(environment env,
                                                               engine_options options) const {
  std::shared_ptr<generation> gen;
  {
    std::lock_guard lock(impl_->mu);
    gen = impl_->current;
  }
  if (!env.resolver) env.resolver = impl_->env.resolver;
  if (!env.time) env.time = impl_->env.time;
  if (!env.local) env.local = impl_->env.local;
  auto loaded = engine::load(*gen->script, std::move(env), options);
  if (!loaded) return loaded.error();
  return detached_engine{gen->version, std::move(*loaded)};
}

}  // namespace wpadkit::pac
