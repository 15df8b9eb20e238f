#include "domain/digests.h"

#include "domain/readers.h"

namespace tribune {

namespace {

std::string excerpt(const std::string& markdown) {
  std::string flat;
  for (char c : markdown) flat += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  flat = trim(flat);
  if (flat.size() <= 160) return flat;
  size_t cut = 157;
  while (cut > 0 && (static_cast<unsigned char>(flat[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  return flat.substr(0, cut) + "...";
}

}  // namespace

OutboxMail DigestService::compose(const DueDigest& due) const {
  OutboxMail m;
  m.to = due.account.email;
  size_t total = due.items.size() + static_cast<size_t>(due.more);
  m.subject = total == 1 ? describe(due.items.front()) + " on " + mail_.site_name
                         : std::to_string(total) + " new notifications on " + mail_.site_name;
  std::string body = "Hello " + due.account.display_name + ",\n\n";
  for (const auto& n : due.items) {
    body += "* " + describe(n);
    if (auto a = articles_.find_by_id(n.comment.article_id)) {
      body += " on \"" + a->title + "\":\n";
      if (n.kind != "moderation" || n.detail == "approved") body += "  \"" + excerpt(n.comment.body_markdown) + "\"\n";
      body += "  " + mail_.base_url + comment_link(n.comment) + "\n\n";
    } else {
      body += ".\n\n";
    }
  }
  if (due.more > 0) body += "... and " + std::to_string(due.more) + " more.\n\n";
  body += "All your notifications: " + mail_.base_url + "/notifications\n";
  body += "You get this mail because notification mail is set to \"" + due.account.digest +
          "\". Change it or turn it off on your account page: " + mail_.base_url + "/account\n";
  m.body_text = std::move(body);
  return m;
}

int DigestService::run_once() {
  int queued = 0;
  auto now = articles_.now();
  for (;;) {
    auto due = store_.due_digests(now, 100);
    int moved = 0;
    for (const auto& d : due) {
      std::optional<OutboxMail> mail;
      if (!d.items.empty()) mail = compose(d);
      if (store_.record_digest(d.account.id, d.cursor, d.up_to, now, mail)) {
        ++moved;
        if (mail) ++queued;
      }
    }
    if (due.size() < 100 || moved == 0) break;
  }
  return queued;
}

}  // namespace tribune
