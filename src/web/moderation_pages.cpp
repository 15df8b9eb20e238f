#include "web/moderation_pages.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
#include "model/moderation.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

namespace {

constexpr int kQueuePage = 30;
constexpr int kLogPage = 100;

// The rules that can hold a comment, for the queue's filter.
constexpr std::pair<const char*, const char*> kHoldingRules[] = {
    {"premoderation", "Pre-moderation"},  {"suspect_words", "Suspect words"}, {"links", "Links"},
    {"rejection_rate", "Rejection rate"}, {"new_reader", "New reader"},       {"classifier", "Spam classifier"},
    {"external", "External check"}};

std::string short_time(TimePoint t) {
  std::string s = format_rfc3339(t);  // 2026-11-27T17:40:00Z
  return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

// "spam,abuse" as moderators read it: "Spam or advertising, abusive or hateful".
std::string reasons_in_words(std::string_view codes) {
  std::string out;
  while (!codes.empty()) {
    auto comma = codes.find(',');
    auto code = codes.substr(0, comma);
    std::string words(code);
    for (auto r : kReportReasons)
      if (r.code == code) {
        words = r.label;
        words[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(words[0])));
      }
    out += (out.empty() ? "" : ", ") + words;
    codes = comma == std::string_view::npos ? std::string_view() : codes.substr(comma + 1);
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string past_tense(std::string_view decision) {
  if (decision == "approve") return "Approved";
  if (decision == "reject") return "Rejected";
  if (decision == "hide") return "Hidden";
  return std::string(decision);
}

// A reader's standing as moderators and the reader see it.
std::string standing(const Account& a, TimePoint now) {
  std::string out;
  if (a.banned_until && *a.banned_until > now) {
    bool ban = is_ban(*a.banned_until, now);
    out += ban ? "Banned" : "Suspended until " + short_time(*a.banned_until);
    if (!a.ban_reason.empty()) out += ": " + a.ban_reason;
    out += ". ";
  }
  if (!a.warning.empty()) out += "Warned (not yet acknowledged): " + a.warning + ". ";
  if (a.premoderated) out += "Every comment is read by a moderator first. ";
  return out.empty() ? "In good standing." : out.substr(0, out.size() - 1);
}

// Refusals a moderator can correct on the page they came from (a bad time, a missing or too long reason,
// nothing selected, a staff account); anything else (not found, a failure) goes to the error page.
bool correctable(const Error& e) {
  return e.kind() == ErrorKind::invalid || e.kind() == ErrorKind::forbidden;
}

// A row of the log's tables (moderation_history, moderation_log): the act's label, with its code (what the
// filter, the API and the CSV use) on hover.
boost::json::object log_row(const LogEntry& e) {
  return {{"when", short_time(e.created_at)},
          {"who", e.actor_name.empty() ? "API token or CLI" : e.actor_name},
          {"action", e.action},
          {"action_label", audit_action_label(e.action)},
          {"comment", e.comment_id ? boost::json::value(std::to_string(*e.comment_id)) : nullptr},
          {"reason", e.reason}};
}

// Points a refused form's request at the queue it came from (back: "/moderation?view=held&rule=links"), so
// that the queue is rendered again with the moderator's filters; any other back shows the default queue.
void look_at_queue(RequestContext& ctx, const std::string& back) {
  ctx.path = "/moderation";
  ctx.query.clear();
  if (back.starts_with("/moderation?")) ctx.query = parse_form(std::string_view(back).substr(back.find('?') + 1));
}

}  // namespace

struct ModerationPages::Refusal {
  std::string form;  // "decision-<comment id>", "bulk", "ban-<account id>"; "warn", "suspend", "note"...
  std::string message;
  Form typed;
  std::vector<std::string> ids;  // the bulk form's selected comments
};

Response ModerationPages::moderation(RequestContext& ctx) {
  return queue_page(ctx, http::status::ok, nullptr);
}

Response ModerationPages::queue_page(RequestContext& ctx, http::status status, const Refusal* refusal) {
  // The refusal shows once, next to its form; typed() is what the moderator had typed into that form.
  bool placed = false;
  auto refused_here = [&](std::string_view form) -> boost::json::value {
    if (!refusal || placed || refusal->form != form) return nullptr;
    placed = true;
    return boost::json::value(refusal->message);
  };
  auto typed = [&](std::string_view form, std::string_view name) {
    return refusal && refusal->form == form ? field(refusal->typed, name) : std::string();
  };
  auto q = moderation_.queue_query(ctx.query, kQueuePage);
  auto queue = moderation_.queue(q);
  bool decided = q.view == "decided";

  std::string article_filter(ctx.query_value("article").value_or(""));
  std::string filters = "&article=" + percent_encode(article_filter) + "&rule=" + percent_encode(q.rule) +
                        (q.author_id ? "&reader=" + std::to_string(*q.author_id) : std::string()) +
                        (q.text.empty() ? std::string() : "&q=" + percent_encode(q.text));
  std::string here = "/moderation?view=" + q.view + filters;

  std::vector<Comment> comments;
  comments.reserve(queue.size());
  for (const auto& item : queue) comments.push_back(item.comment);
  PageRenderer::ActivityPage page;
  page.heading = "Moderation";
  page.page_title = "Moderation";
  page.body_class = "page--moderation";
  std::string_view waiting = q.view == "held" ? "Comments held by a moderation rule"
                             : q.view == "reported"
                                 ? "Published comments that readers reported"
                                 : "Comments held by a moderation rule and published comments that readers reported";
  page.intro = decided
                   ? "The latest decisions, newest first. A decision can be changed: approve puts a comment up again."
               : q.view == "all"
                   ? "Every comment, in any state, newest first: search them by text, reader, article or rule above. "
                     "Reject or hide takes a published one down."
                   : std::string(waiting) +
                         ", oldest first. Approve puts a comment up and clears its reports; reject and "
                         "hide take it down.";
  page.empty_text = decided ? "No decisions yet." : q.view == "all" ? "No comment matches." : "Nothing waits here.";
  if (auto done = ctx.query_value("done")) {
    if (*done == "ban")
      page.notice = "The author is banned.";
    else if (*done == "bulk")
      page.notice = std::string(ctx.query_value("n").value_or("0")) + " comments decided.";
    else
      page.notice = "Decision saved.";
  }

  boost::json::array views, rules;
  for (auto [view, label] : {std::pair{"open", "Open"}, std::pair{"held", "Held"}, std::pair{"reported", "Reported"},
                             std::pair{"decided", "Recently decided"}, std::pair{"all", "All comments"}})
    views.push_back({{"view", view}, {"label", label}, {"current", q.view == view}, {"filters", filters}});
  for (auto [name, label] : kHoldingRules)
    rules.push_back({{"name", name}, {"label", label}, {"selected", q.rule == name}});
  boost::json::object top{{"views", std::move(views)},
                          {"view", q.view},
                          {"article", article_filter},
                          {"rules", std::move(rules)},
                          {"reader", q.author_id ? std::to_string(*q.author_id) : std::string()},
                          {"text", q.text},
                          {"bulk", nullptr}};
  if (!queue.empty())
    top["bulk"] = {{"csrf_token", ctx.principal.csrf_token},
                   {"error", refused_here("bulk")},
                   {"here", here},
                   {"reason", typed("bulk", "reason")}};
  page.actions_html = renderer_.fragment_from("moderation_queue", top);

  page.cards = cards_for(comments);
  for (size_t i = 0; i < queue.size(); ++i) {
    const auto& item = queue[i];
    auto& card = page.cards[i];
    std::string id = std::to_string(item.comment.id);
    if (decided) {
      card.lead = past_tense(item.decision) + " by " + (item.decided_by.empty() ? "an API token" : item.decided_by) +
                  ", " + short_time(item.decided_at);
      card.note = item.decision_reason;
    } else {
      card.lead = item.comment.status == CommentStatus::pending ? "Held for review" : "Reported";
      if (item.comment.status == CommentStatus::pending && !item.rule.empty()) card.lead += " (" + item.rule + ")";
      if (item.open_reports > 0)
        card.note = std::to_string(item.open_reports) + (item.open_reports == 1 ? " report: " : " reports: ") +
                    reasons_in_words(item.reasons) + "." +
                    (item.notes.empty() ? "" : " Reporters\u2019 notes: \u201c" + item.notes + "\u201d");
      else if (item.comment.status == CommentStatus::pending)
        card.note = item.rule_reason;
    }
    std::string decision_form = "decision-" + id;
    boost::json::object view{{"id", id},
                             {"csrf_token", ctx.principal.csrf_token},
                             {"here", here},
                             {"selected", refusal && std::ranges::find(refusal->ids, id) != refusal->ids.end()},
                             {"decision_error", refused_here(decision_form)},
                             {"reason", typed(decision_form, "reason")},
                             {"author", nullptr},
                             {"edited", item.comment.edited_at.has_value()}};
    if (item.comment.author_id) {
      std::string author = std::to_string(*item.comment.author_id);
      // Staff cannot be banned (the ban would be refused): no button, and the reason why.
      bool staff = is_staff(item.author_role);
      view["author"] = {{"id", author},
                        {"staff_role", staff ? boost::json::value(to_string(item.author_role)) : nullptr},
                        {"article_word", item.author_role == Role::moderator ? "a" : "an"},
                        {"bannable", !staff},
                        {"ban_error", staff ? nullptr : refused_here("ban-" + author)}};
    }
    card.actions_html = renderer_.fragment_from("moderation_card", view);
  }
  if (static_cast<int>(queue.size()) == kQueuePage)
    page.next_url = here + "&after=" + std::to_string(decided ? queue.back().decision_id : queue.back().comment.id);
  if (refusal && !placed) page.error = refusal->message;  // its form is no longer on the page
  return html_page(ctx, status, renderer_.activity_page(page, articles_.sections()));
}

Response ModerationPages::decision_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto form = form_of(ctx);
  std::string back = safe_return_to(field(form, "return_to"));
  if (back == "/") back = "/moderation?view=open";
  try {
    moderation_.decide(ctx.principal.account_id, *id, field(form, "decision"), field(form, "reason"));
  } catch (const Error& e) {
    if (!correctable(e)) throw;
    Refusal refusal{"decision-" + std::to_string(*id), e.message(), form, {}};
    look_at_queue(ctx, back);
    return queue_page(ctx, status_for(e.kind()), &refusal);
  }
  return see_other(back + (back.find('?') == std::string::npos ? "?" : "&") + "done=decision");
}

Response ModerationPages::decisions_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  auto selected = form_values(ctx.request.body(), "ids");
  std::vector<int64_t> ids;
  for (const auto& v : selected) {
    Form one{{"id", v}};
    if (auto id = form_id(one, "id")) ids.push_back(*id);
  }
  std::string back = safe_return_to(field(form, "return_to"));
  if (back == "/") back = "/moderation?view=open";
  int n = 0;
  try {
    n = moderation_.decide_many(ctx.principal.account_id, ids, field(form, "decision"), field(form, "reason"));
  } catch (const Error& e) {
    if (!correctable(e)) throw;
    Refusal refusal{"bulk", e.message(), form, std::move(selected)};
    look_at_queue(ctx, back);
    return queue_page(ctx, status_for(e.kind()), &refusal);
  }
  return see_other(back + (back.find('?') == std::string::npos ? "?" : "&") + "done=bulk&n=" + std::to_string(n));
}

Response ModerationPages::ban_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The account");
  auto form = form_of(ctx);
  std::string back = safe_return_to(field(form, "return_to"));
  bool lift = field(form, "lift") == "1";
  bool suspend = !lift && form.contains("until");
  std::string done = lift ? "lift" : suspend ? "suspend" : "ban";
  try {
    if (lift) {
      moderation_.lift_ban(ctx.principal.account_id, *id);
    } else {
      std::optional<TimePoint> until;
      if (suspend) {
        // <input type="datetime-local"> sends "2026-12-01T18:00"; the form says the time is UTC.
        std::string raw = field(form, "until");
        until = parse_rfc3339(raw.size() == 16 ? raw + ":00Z" : raw);
        if (!until) throw invalid_field("until", "invalid_time", "Give the end of the suspension as a date and time.");
      }
      moderation_.ban(ctx.principal.account_id, *id, until, field(form, "reason"));
    }
  } catch (const Error& e) {
    if (!correctable(e)) throw;
    if (back == "/moderation/readers/" + std::to_string(*id)) {
      Refusal refusal{done, e.message(), form, {}};
      return history_page(ctx, *id, status_for(e.kind()), &refusal);
    }
    Refusal refusal{"ban-" + std::to_string(*id), e.message(), form, {}};
    look_at_queue(ctx, back);
    return queue_page(ctx, status_for(e.kind()), &refusal);
  }
  if (back == "/") return see_other("/moderation?done=ban");
  return see_other(back + (back.find('?') == std::string::npos ? "?" : "&") + "done=" + done);
}

Response ModerationPages::sanction_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The account");
  auto form = form_of(ctx);
  std::string action = field(form, "action");
  try {
    moderation_.sanction(ctx.principal.account_id, *id, action, field(form, "reason"));
  } catch (const Error& e) {
    if (!correctable(e)) throw;
    Refusal refusal{action, e.message(), form, {}};
    return history_page(ctx, *id, status_for(e.kind()), &refusal);
  }
  return see_other("/moderation/readers/" + std::to_string(*id) + "?done=" + percent_encode(action));
}

Response ModerationPages::comment_versions(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto v = moderation_.versions(*id);
  const Comment& c = v.comment;
  boost::json::array versions;
  for (size_t i = 0; i < v.earlier.size(); ++i)
    versions.push_back({{"label", i == 0 ? std::string("As first posted") : "Edit " + std::to_string(i)},
                        {"when", short_time(v.earlier[i].written_at)},
                        {"body", v.earlier[i].body_markdown}});
  versions.push_back({{"label", v.earlier.empty() ? std::string("As posted (never edited)") : std::string("Now")},
                      {"when", short_time(c.edited_at.value_or(c.created_at))},
                      {"body", c.body_markdown}});
  auto article = articles_.find_by_id(c.article_id);
  boost::json::object view{
      {"id", std::to_string(c.id)},
      {"author", c.author_id ? c.author_name : std::string("Deleted reader")},
      {"author_id", c.author_id ? boost::json::value(std::to_string(*c.author_id)) : nullptr},
      {"status", std::string(to_string(c.status))},
      {"article_title", article ? article->title : std::string()},
      {"comment_url", c.status == CommentStatus::published ? boost::json::value(comment_link(c)) : nullptr},
      {"versions", std::move(versions)}};
  return html_page(ctx, http::status::ok,
                   renderer_.page_from("moderation_versions", view, "Versions of comment " + std::to_string(c.id),
                                       articles_.sections()));
}

Response ModerationPages::reader_history(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The reader");
  return history_page(ctx, *id, http::status::ok, nullptr);
}

Response ModerationPages::history_page(RequestContext& ctx, int64_t account_id, http::status status,
                                       const Refusal* refusal) {
  static const std::map<std::string, std::string, std::less<>> notices = {
      {"warn", "The warning is saved: the reader must acknowledge it before commenting again."},
      {"premoderate", "Every comment of theirs now waits for review."},
      {"release", "Their comments no longer wait for review."},
      {"note", "The note is saved."},
      {"ban", "The reader is banned."},
      {"suspend", "The reader is suspended."},
      {"lift", "The ban or suspension is lifted."}};
  bool placed = false;
  auto refused_here = [&](std::string_view form) -> boost::json::value {
    if (!refusal || placed || refusal->form != form) return nullptr;
    placed = true;
    return boost::json::value(refusal->message);
  };
  // One form of the page: its refusal, if it is the refused one, and what was typed into it.
  auto form_view = [&](std::string_view form) {
    bool here = refusal && refusal->form == form;
    return boost::json::object{{"error", refused_here(form)},
                               {"reason", here ? field(refusal->typed, "reason") : std::string()},
                               {"until", here ? field(refusal->typed, "until") : std::string()}};
  };

  auto h = moderation_.history(account_id);
  const Account& who = h.account;
  std::string sid = std::to_string(who.id);
  std::string back = "/moderation/readers/" + sid;

  PageRenderer::ActivityPage page;
  page.heading = "Reader history: " + who.display_name;
  page.page_title = who.display_name + ": history";
  page.body_class = "page--moderation page--history";
  page.intro = "Member since " + short_time(who.created_at).substr(0, 10) + ". " + standing(who, articles_.now());
  page.empty_text = "No comments yet.";
  if (auto done = ctx.query_value("done")) {
    auto it = notices.find(*done);
    page.notice = it != notices.end() ? it->second : "Saved.";
  }

  boost::json::object top{
      {"id", sid}, {"csrf_token", ctx.principal.csrf_token}, {"back", back}, {"sanctions", nullptr}};
  if (who.role == Role::reader) {
    bool banned = who.banned_until && *who.banned_until > articles_.now();
    top["sanctions"] = {{"warn", form_view("warn")},
                        {"suspend", form_view("suspend")},
                        {"ban", form_view("ban")},
                        {"lift", banned ? boost::json::value(form_view("lift")) : nullptr},
                        {"premoderate", who.premoderated ? nullptr : boost::json::value(form_view("premoderate"))},
                        {"release", who.premoderated ? boost::json::value(form_view("release")) : nullptr}};
  }
  top["note"] = form_view("note");
  boost::json::array log;
  for (const auto& e : h.log) log.push_back(log_row(e));
  top["has_log"] = !log.empty();
  top["log"] = std::move(log);
  page.actions_html = renderer_.fragment_from("moderation_history", top);
  page.cards = cards_for(h.comments);
  if (refusal && !placed) page.error = refusal->message;  // its form is not on the page (staff, an unknown act)
  return html_page(ctx, status, renderer_.activity_page(page, articles_.sections()));
}

Response ModerationPages::audit_log(RequestContext& ctx) {
  auto q = ModerationService::log_query(ctx.query, kLogPage);
  auto entries = moderation_.log(q);
  PageRenderer::ActivityPage page;
  page.heading = "Audit log";
  page.page_title = "Audit log";
  page.body_class = "page--moderation page--log";
  page.intro = "Every moderation and admin act: who, what, when and why, newest first. Nothing here can be changed.";
  page.empty_text = "";
  std::string filters = (q.action.empty() ? "" : "&action=" + q.action) +
                        (q.subject_id ? "&reader=" + std::to_string(*q.subject_id) : "");
  boost::json::array actions, rows;
  bool known = q.action.empty();
  for (auto [code, label] : kAuditActions) {
    known = known || code == q.action;
    actions.push_back({{"code", code}, {"label", label}, {"selected", code == q.action}});
  }
  if (!known) actions.push_back({{"code", q.action}, {"label", q.action}, {"selected", true}});
  for (const auto& e : entries) {
    auto row = log_row(e);
    row["reader"] = e.account_id ? boost::json::value(std::to_string(*e.account_id)) : nullptr;
    rows.push_back(std::move(row));
  }
  page.actions_html = renderer_.fragment_from("moderation_log",
                                              {{"actions", std::move(actions)},
                                               {"reader", q.subject_id ? std::to_string(*q.subject_id) : std::string()},
                                               {"has_entries", !rows.empty()},
                                               {"entries", std::move(rows)}});
  if (static_cast<int>(entries.size()) == kLogPage)
    page.next_url = "/moderation/log?before=" + std::to_string(entries.back().id) + filters;
  return html_page(ctx, http::status::ok, renderer_.activity_page(page, articles_.sections()));
}

Response ModerationPages::audit_log_csv(RequestContext&) {
  std::string out = "id,at,actor_id,actor,action,comment_id,account_id,reason\r\n";
  LogQuery q;
  q.limit = 1000;
  for (;;) {
    auto page = moderation_.log(q);
    for (const auto& e : page)
      out += std::to_string(e.id) + "," + format_rfc3339(e.created_at) + "," +
             (e.actor_id ? std::to_string(*e.actor_id) : "") + "," + csv_field(e.actor_name) + "," +
             csv_field(e.action) + "," + (e.comment_id ? std::to_string(*e.comment_id) : "") + "," +
             (e.account_id ? std::to_string(*e.account_id) : "") + "," + csv_field(e.reason) + "\r\n";
    if (static_cast<int>(page.size()) < q.limit) break;
    q.before_id = page.back().id;
  }
  Response r = Response::text(http::status::ok, std::move(out), "text/csv; charset=utf-8");
  r.headers.set(http::field::content_disposition, "attachment; filename=\"audit-log.csv\"");
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

Response ModerationPages::acknowledge_submit(RequestContext& ctx) {
  form_of(ctx);
  moderation_.acknowledge_warning(ctx.principal.account_id);
  return see_other("/account?done=warning");
}

}  // namespace tribune::web
