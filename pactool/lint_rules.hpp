#pragma once
// lint_rules — the checks of `pactool lint`: one table of rules (id, severity, what it means, how to
// fix it), and the static checks over a PAC's tokens. The dynamic checks (does the engine compile
// it, is FindProxyForURL defined, does a sample call work) are in cmd_lint.cpp; they report through
// the same table.
//
// Why each rule exists is in its `why` text, citing the browser behaviour behind it.
#include <string>
#include <string_view>
#include <vector>

namespace pactool {

enum class lint_severity { error, warning };

struct lint_rule {
  std::string_view id;
  lint_severity severity;
  std::string_view why;  // one line: what goes wrong in browsers
  std::string_view fix;  // one line: what to do
};

// Every rule, in the order the documentation lists them.
const std::vector<lint_rule>& lint_rule_table();
// The rule named `id` (the table must have it).
const lint_rule& lint_rule_by_id(std::string_view id);

struct lint_finding {
  std::string rule;
  lint_severity severity;
  int line;
  int column;
  std::string message;  // specific to this finding
  std::string fix;
};

// A finding for rule `id` at line:col with a specific message (the fix comes from the table unless
// `fix` is given).
lint_finding make_finding(std::string_view id, int line, int column, std::string message,
                          std::string fix = {});

// The static checks: regex metacharacters in shExpMatch patterns, dnsDomainIs without a leading dot,
// DNS helpers on `host` before cheap string rules, repeated lookups of one name, myIpAddress,
// 3- or 5-argument timeRange, non-portable result tokens, returned strings that do not parse, size
// limits, non-ASCII characters. Findings are sorted by line, then column.
std::vector<lint_finding> lint_static(std::string_view source);

}  // namespace pactool
