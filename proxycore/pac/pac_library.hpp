#pragma once
// The JavaScript part of the PAC helper library (pac_library.cpp): an expression that evaluates to an
// object of reference implementations, keyed by helper name. Internal to the engine.
namespace wpadkit::pac::detail {

extern const char* const pac_library_js;

}  // namespace wpadkit::pac::detail
