#pragma once
// The HTML resource engine's public surface in one include: scan (resource.hpp) and
// rewrite / proxy URLs / banners (rewrite.hpp). Tokenizer and CSS scanner are
// available separately (tokenizer.hpp, css.hpp) for tests and tools.

#include "html/resource.hpp"
#include "html/rewrite.hpp"
