// The one translation unit that compiles Asio, Beast, Boost.JSON and Boost.URL (Debian ships them as headers;
// BOOST_*_SEPARATE_COMPILATION keeps every other translation unit from compiling them again).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
