# Writes a C++ source holding every pac-templates/*.pac.mustache file, so that pacserver (and its
# embedded default configuration) runs without the source tree. Run with:
#   cmake -DTEMPLATE_DIR=... -DOUTPUT=... -P embed_templates.cmake
file(GLOB _templates "${TEMPLATE_DIR}/*.pac.mustache")
list(SORT _templates)
set(_body "")
foreach(_t IN LISTS _templates)
  get_filename_component(_file "${_t}" NAME)
  string(REPLACE ".pac.mustache" "" _name "${_file}")
  file(READ "${_t}" _text)
  string(APPEND _body "    {\"${_name}\", R\"wpadkit_template(${_text})wpadkit_template\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from pac-templates/ by pacserver/embed_templates.cmake. Do not edit.
#include \"pacserver/template_store.hpp\"

namespace wpadkit::pacserver {

const std::map<std::string, std::string_view, std::less<>>& embedded_templates() {
  static const std::map<std::string, std::string_view, std::less<>> templates{
${_body}  };
  return templates;
}

}  // namespace wpadkit::pacserver
")
configure_file("${OUTPUT}.tmp" "${OUTPUT}" COPYONLY)
