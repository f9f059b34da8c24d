#include <doctest/doctest.h>

#include "cli/imap_url.hpp"

using namespace pixelwarden::cli;

TEST_SUITE("cli::imap_url") {
  TEST_CASE("user, host, port and folder; imaps defaults to 993") {
    std::string err;
    auto u = parse_imap_url("imap://alice@127.0.0.1:1143/Archive", err);
    REQUIRE(u);
    CHECK_FALSE(u->tls);
    CHECK(u->user == "alice");
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == 1143);
    CHECK(u->folder == "Archive");
    CHECK(u->server() == "imap://alice@127.0.0.1:1143");
    CHECK(u->folder_url("INBOX") == "imap://alice@127.0.0.1:1143/INBOX");
    auto s = parse_imap_url("imaps://bob%40corp.example@mail.corp.example/", err);
    REQUIRE(s);
    CHECK(s->tls);
    CHECK(s->port == 993);
    CHECK(s->user == "bob@corp.example");
    CHECK(s->folder.empty());
    auto plain = parse_imap_url("IMAP://carol@host", err);
    REQUIRE(plain);
    CHECK(plain->port == 143);
    CHECK(parse_imap_url("imap://a@h/Sent%20Items", err)->folder == "Sent Items");
    auto v6 = parse_imap_url("imap://alice@[2001:db8::7]:1143/INBOX", err);
    REQUIRE(v6);
    CHECK(v6->host == "2001:db8::7");
    CHECK(v6->port == 1143);
    CHECK(v6->server() == "imap://alice@[2001:db8::7]:1143");
    auto v6_default = parse_imap_url("imaps://alice@[::1]/", err);
    REQUIRE(v6_default);
    CHECK(v6_default->host == "::1");
    CHECK(v6_default->port == 993);
  }

  TEST_CASE("a password in the URL is refused; bad URLs say why") {
    std::string err;
    CHECK_FALSE(parse_imap_url("imap://alice:secret@host/INBOX", err));
    CHECK(err.find("no password in the URL") != std::string::npos);
    CHECK_FALSE(parse_imap_url("imap://host/INBOX", err));
    CHECK(err.find("needs a user") != std::string::npos);
    CHECK_FALSE(parse_imap_url("imap://a@host:99999/", err));
    CHECK_FALSE(parse_imap_url("imap://a@host:x/", err));
    CHECK_FALSE(parse_imap_url("imap://a@/", err));
    CHECK_FALSE(parse_imap_url("imap://a@h/%zz", err));
    CHECK_FALSE(parse_imap_url("http://a@h/", err));
    CHECK_FALSE(parse_imap_url("imap://a@[::1/", err));
    CHECK_FALSE(parse_imap_url("imap://a@[::1]x/", err));
    CHECK_FALSE(parse_imap_url("imap://a@[::1]:/", err));
  }

  TEST_CASE("the login travels over TLS but to a loopback host") {
    std::string error;
    const auto tls_for = [&](const char* text) {
      const auto u = parse_imap_url(text, error);
      REQUIRE(u);
      return requires_tls(*u);
    };
    CHECK(tls_for("imap://alice@mail.example.org/INBOX"));  // STARTTLS required
    CHECK(tls_for("imap://alice@192.0.2.7/INBOX"));
    CHECK(tls_for("imaps://alice@127.0.0.1/INBOX"));
    CHECK_FALSE(tls_for("imap://alice@127.0.0.1:1143/INBOX"));
    CHECK_FALSE(tls_for("imap://alice@LocalHost/INBOX"));
    CHECK_FALSE(tls_for("imap://alice@[::1]/INBOX"));
    CHECK(tls_for("imap://alice@127.example.org/INBOX"));
  }

  TEST_CASE("only imap:// and imaps:// arguments are IMAP sources") {
    CHECK(looks_like_imap_url("imap://a@h/"));
    CHECK(looks_like_imap_url("IMAPS://a@h/"));
    CHECK_FALSE(looks_like_imap_url("/var/mail/imap"));
    CHECK_FALSE(looks_like_imap_url("imap"));
  }
}
