#include "proxycore/forward/decision_source.hpp"

namespace wpadkit::forward {
namespace {

class fixed final : public decision_source {
 public:
  explicit fixed(std::string r) : result_(std::move(r)) {}
  void find_proxy(std::string, std::string, completion done) override { done(result_); }
  std::optional<std::string> find_proxy_now(const std::string&, const std::string&, thread_state*) override {
    return result_;
  }
  bool ready() const override { return true; }

 private:
  std::string result_;
};

}  // namespace

std::shared_ptr<decision_source> fixed_decisions(std::string pac_result) {
  return std::make_shared<fixed>(std::move(pac_result));
}

}  // namespace wpadkit::forward
