// Boost.URL's sources, compiled once into wpadkit_boost_url (cmake/wpadkit_dependencies.cmake says why).
#include <boost/url/src.hpp>
