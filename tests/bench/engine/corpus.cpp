#include "corpus.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace pixelwarden::bench {
namespace {

const char* const k_words[] = {"spring", "collection", "offer",  "limited", "members",
                               "free",   "shipping",   "today",  "new",     "arrivals",
                               "linen",  "jacket",     "summer", "classic", "weekend",
                               "sale",   "discover",   "our",    "latest",  "styles"};

// Deterministic filler text (xorshift), so every run measures the same bytes.
class Filler {
 public:
  explicit Filler(std::uint64_t seed) : m_state(seed * 2654435761u + 1) {}
  std::uint64_t next() {
    m_state ^= m_state << 13;
    m_state ^= m_state >> 7;
    m_state ^= m_state << 17;
    return m_state;
  }
  std::string sentence(int words) {
    std::string s;
    for (int i = 0; i < words; ++i) {
      if (i) s += ' ';
      s += k_words[next() % (sizeof(k_words) / sizeof(k_words[0]))];
    }
    return s;
  }
  std::string hex(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "0123456789abcdef"[next() % 16];
    return s;
  }

 private:
  std::uint64_t m_state;
};

std::string headers(const std::string& subject, const std::string& content_type, int serial) {
  return fmt::format("Received: from mta.news.example (mta.news.example [198.51.100.7])\r\n"
                     "\tby mx.test (Postfix) with ESMTPS id 4TkQ2x0Z{:05d}\r\n"
                     "\tfor <reader@corp.example>; Sun, 22 Nov 2026 10:00:00 +0000 (UTC)\r\n"
                     "From: Shop News <news@news.example>\r\n"
                     "To: reader@corp.example\r\n"
                     "Subject: {}\r\n"
                     "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
                     "Message-ID: <{}.bench@news.example>\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: {}\r\n"
                     "\r\n",
                     serial, subject, serial, content_type);
}

std::string tracker_img(int which, Filler& f) {
  switch (which) {
    case 0:
      return fmt::format(
          "<img src=\"https://xyz.list-manage.com/track/open.php?u={}&amp;id={}&amp;e={}\" "
          "width=\"1\" height=\"1\" alt=\"\">",
          f.hex(25), f.hex(10), f.hex(10));
    case 1:
      return fmt::format(
          "<img src=\"https://r.awstrack.me/I0/0102018b{}-{}-000000/{}=346\" width=\"1\" "
          "height=\"1\" style=\"display:block\" alt=\"\">",
          f.hex(24), f.hex(12), f.hex(20));
    default:
      return fmt::format(
          "<img src=\"https://ct.sendgrid.net/wf/open?upn={}\" alt=\"\" width=\"1\" "
          "height=\"1\" border=\"0\" style=\"height:1px !important;width:1px !important\">",
          f.hex(120));
  }
}

std::string product_block(int n, Filler& f, bool with_image) {
  std::string img;
  if (with_image)
    img = fmt::format(
        "<a href=\"https://shop.example/p/{0}?utm_source=newsletter&amp;utm_medium=email\">"
        "<img src=\"https://cdn.shop.example/img/product-{0}.jpg\" width=\"280\" "
        "height=\"210\" alt=\"{1}\" style=\"display:block;border:0\"></a>\r\n",
        n, f.sentence(3));
  return fmt::format(
      "<tr>\r\n<td class=\"product\" style=\"padding:12px 24px;font-family:Arial,sans-serif;"
      "font-size:14px;color:#333333\">\r\n{}<h3 style=\"margin:8px 0\">{}</h3>\r\n"
      "<p style=\"margin:0 0 8px 0;line-height:20px\">{}</p>\r\n<p>{}</p>\r\n"
      "<a href=\"https://shop.example/p/{}?ref=nl\" style=\"color:#0066cc\">Shop now</a>\r\n"
      "</td>\r\n</tr>\r\n",
      img, f.sentence(4), f.sentence(40), f.sentence(30), n);
}

std::string wrap_html(const std::string& rows) {
  return "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\">\r\n"
         "<style>td.product{padding:12px} @media (max-width:600px){.product{width:100%}}"
         "</style>\r\n</head>\r\n<body style=\"margin:0;background:#f4f4f4\">\r\n"
         "<table width=\"600\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\">\r\n" +
         rows + "</table>\r\n</body></html>\r\n";
}

std::string text_alternative(Filler& f, std::size_t bytes) {
  std::string t;
  while (t.size() < bytes) t += f.sentence(12) + "\r\nhttps://shop.example/p/1?ref=txt\r\n";
  return t;
}

std::string alternative(int serial, const std::string& plain, const std::string& html_part_cte,
                        const std::string& html_body, const std::string& subject) {
  std::string boundary = fmt::format("=_alt_{:08d}", serial);
  return headers(subject, "multipart/alternative; boundary=\"" + boundary + "\"", serial) + "--" +
         boundary +
         "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
         plain + "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\n" +
         "Content-Transfer-Encoding: " + html_part_cte + "\r\n\r\n" + html_body + "\r\n--" +
         boundary + "--\r\n";
}

}  // namespace

std::string qp_encode(const std::string& in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  std::size_t col = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
      out += "\r\n";
      ++i;
      col = 0;
      continue;
    }
    bool literal = c >= 33 && c <= 126 && c != '=';
    if (c == ' ' && i + 1 < in.size() && in[i + 1] != '\r') literal = true;
    std::size_t width = literal ? 1 : 3;
    if (col + width > 75) {
      out += "=\r\n";
      col = 0;
    }
    if (literal)
      out += static_cast<char>(c);
    else
      out += fmt::format("={:02X}", c);
    col += width;
  }
  return out;
}

std::string base64_encode(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(in.size() * 4 / 3 + in.size() / 38 + 4);
  std::size_t col = 0;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
    if ((col += 4) >= 76) {
      out += "\r\n";
      col = 0;
    }
  }
  if (col) out += "\r\n";
  return out;
}

std::string make_newsletter(int serial, Encoding cte, std::size_t bytes, bool trackers) {
  Filler f(static_cast<std::uint64_t>(serial) + 1);
  std::string plain = text_alternative(f, bytes / 8);
  // Build the HTML until its encoded form fills the budget: 17 product images, the
  // three pixels at the top, middle and bottom, text-only blocks in between.
  const auto pixel = [&](int which) {
    std::string img = tracker_img(which, f);  // drawn either way: the rest stays the same
    return trackers ? "<tr><td>" + img + "</td></tr>\r\n" : std::string();
  };
  std::string rows = pixel(0);
  int images = 0;
  std::string html;
  for (int n = 0;; ++n) {
    bool with_image = images < 17 && n % 2 == 0;
    rows += product_block(serial * 100 + n, f, with_image);
    if (with_image) ++images;
    if (n == 12) rows += pixel(1);
    html = wrap_html(rows + pixel(2));
    std::size_t encoded = cte == Encoding::base64 ? html.size() * 4 / 3 : html.size() * 11 / 10;
    if (images == 17 && n >= 13 && encoded + plain.size() + 1200 >= bytes) break;
  }
  std::string body = cte == Encoding::base64 ? base64_encode(html) : qp_encode(html);
  return alternative(serial, plain, cte == Encoding::base64 ? "base64" : "quoted-printable", body,
                     fmt::format("Spring collection #{}", serial));
}

std::string make_large_html(std::size_t bytes) {
  Filler f(7);
  std::string rows = "<tr><td>" + tracker_img(0, f) + "</td></tr>\r\n";
  int n = 0;
  while (rows.size() < bytes) {
    rows += product_block(n, f, true);
    if (n == 1000) rows += "<tr><td>" + tracker_img(1, f) + "</td></tr>\r\n";
    ++n;
  }
  rows += "<tr><td>" + tracker_img(2, f) + "</td></tr>\r\n";
  return headers("Archive",
                 "text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                 "quoted-printable",
                 1) +
         qp_encode(wrap_html(rows));
}

std::string make_sized_message(std::size_t bytes, int trackers) {
  Filler f(11);
  std::vector<std::string> blocks;
  std::size_t size = 0;
  for (int n = 0; size * 11 / 10 < bytes || blocks.empty(); ++n) {
    blocks.push_back(product_block(n, f, n % 2 == 0));
    size += blocks.back().size();
  }
  std::string rows;
  std::size_t next = 0;  // pixels spread evenly over the blocks
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    while (next < static_cast<std::size_t>(trackers) &&
           next * blocks.size() / static_cast<std::size_t>(trackers) <= i) {
      rows += "<tr><td>" + tracker_img(static_cast<int>(next % 3), f) + "</td></tr>\r\n";
      ++next;
    }
    rows += blocks[i];
  }
  return headers("Sized", "text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable",
                 1) +
         qp_encode(wrap_html(rows));
}

std::string make_attachment_message(int serial, std::size_t bytes) {
  Filler f(static_cast<std::uint64_t>(serial) + 99);
  std::string boundary = fmt::format("=_mixed_{:08d}", serial);
  std::string out =
      headers("Quarterly report", "multipart/mixed; boundary=\"" + boundary + "\"", serial);
  out += "--" + boundary +
         "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the files attached."
         "\r\n";
  static const char* const types[][2] = {{"application/pdf", "report.pdf"},
                                         {"image/jpeg", "photo.jpg"},
                                         {"application/zip", "data.zip"}};
  std::size_t per = bytes / 3 * 3 / 4;  // raw bytes per attachment, before base64
  for (const auto& t : types) {
    std::string raw(per, '\0');
    for (std::size_t i = 0; i < per; i += 8) {
      std::uint64_t v = f.next();
      for (std::size_t k = 0; k < 8 && i + k < per; ++k)
        raw[i + k] = static_cast<char>(v >> (8 * k));
    }
    out += "--" + boundary + "\r\nContent-Type: " + t[0] + "; name=\"" + t[1] +
           "\"\r\nContent-Disposition: attachment; filename=\"" + t[1] +
           "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_encode(raw);
  }
  return out + "--" + boundary + "--\r\n";
}

std::string make_text_message(int serial, std::size_t bytes) {
  Filler f(static_cast<std::uint64_t>(serial) + 555);
  std::string plain = text_alternative(f, bytes / 3);
  std::string rows;
  for (int n = 0; rows.size() < bytes * 2 / 3; ++n) rows += product_block(n, f, false);
  return alternative(serial, plain, "7bit", wrap_html(rows), "Minutes of the meeting");
}

std::string write_big_ruleset(const std::string& rules_dir, const std::string& dir, long domains) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  fs::copy(rules_dir, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::path list = fs::path(dir) / "lists" / "lure-domains.txt";
  std::ifstream orig(fs::path(rules_dir) / "lists" / "lure-domains.txt", std::ios::binary);
  std::string original((std::istreambuf_iterator<char>(orig)), std::istreambuf_iterator<char>());
  fs::permissions(list, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream out(list, std::ios::binary | std::ios::trunc);
  out << original << "# generated by pw_bench_message big-rules\n";
  static const char* const tlds[] = {"com", "net", "org", "info", "co.uk", "de", "ru", "top"};
  static const char* const words[] = {"news", "daily", "press", "world", "alert", "report"};
  std::string buf;
  for (long i = 0; i < domains; ++i) {
    // i * 7919 mod 10^7 is a bijection for i < 10^7 (7919 is prime to 10): all distinct.
    buf += fmt::format("{}{:07d}-{}.{}\n", words[i % 6], i * 7919 % 10000000, words[(i / 6) % 6],
                       tlds[(i / 36) % 8]);
    if (buf.size() > (1u << 20)) {
      out << buf;
      buf.clear();
    }
  }
  out << buf;
  return (fs::path(dir) / "default.yaml").string();
}

std::vector<std::string> load_eml_tree(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".eml") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

}  // namespace pixelwarden::bench
