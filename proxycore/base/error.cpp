#include "proxycore/base/error.hpp"

namespace wpadkit {

std::string error::to_string() const {
  std::string out;
  if (!where.empty()) {
    out += where;
    if (line) {
      out += ':' + std::to_string(*line);
      if (column) out += ':' + std::to_string(*column);
    }
    out += ": ";
  } else if (line) {
    out += "line " + std::to_string(*line) + ": ";
  }
  out += message.empty() ? code.message() : message;
  return out;
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw error_exception(e);
}

}  // namespace wpadkit
