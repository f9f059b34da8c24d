#pragma once
// The whole MIME engine in one include, for callers that use most of it (the engine).
// Each header below documents its own offsets and ownership; all are pure functions of
// bytes (no I/O, no logging), safe to call from any thread.

#include "mime/address.hpp"
#include "mime/charset.hpp"
#include "mime/codec.hpp"
#include "mime/content_type.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"
#include "mime/message.hpp"
#include "mime/reencode.hpp"
#include "mime/splice.hpp"
#include "mime/walk.hpp"
