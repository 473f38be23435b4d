// The out-of-line parts of Boost.JSON that its SAX parser (basic_parser, header-only) links
// against: error codes, the parser's stack and the default memory resource. Compiled here once
// instead of linking the Boost.JSON library; nothing else in the product uses Boost.JSON.
#include <boost/json/basic_parser_impl.hpp>  // first: the .ipp files below assume its declarations
#include <boost/json/detail/impl/default_resource.ipp>
#include <boost/json/detail/impl/stack.ipp>
#include <boost/json/impl/error.ipp>
