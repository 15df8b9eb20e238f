#include "web/moderation_pages.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
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

std::string csrf_input(const RequestContext& ctx) {
  return "<input type=\"hidden\" name=\"csrf_token\" value=\"" + html_escape(ctx.principal.csrf_token) + "\">";
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

// An act in the log's tables: its label, with the code (what the filter, the API and the CSV use) on hover.
std::string action_cell(const std::string& code) {
  return "<span title=\"" + html_escape(code) + "\">" + html_escape(std::string(audit_action_label(code))) + "</span>";
}

std::string error_html(const std::string& message) {
  return "<p class=\"form__error\" role=\"alert\">" + html_escape(message) + "</p>";
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
  auto refused_here = [&](std::string_view form) {
    if (!refusal || placed || refusal->form != form) return std::string();
    placed = true;
    return error_html(refusal->message);
  };
  auto typed = [&](std::string_view form, std::string_view name) {
    return refusal && refusal->form == form ? html_escape(field(refusal->typed, name)) : std::string();
  };
  auto q = moderation_.queue_query(ctx.query, kQueuePage);
  auto queue = moderation_.queue(q);
  bool decided = q.view == "decided";

  std::string article_filter(ctx.query_value("article").value_or(""));
  std::string filters = "&article=" + percent_encode(article_filter) + "&rule=" + percent_encode(q.rule) +
                        (q.author_id ? "&reader=" + std::to_string(*q.author_id) : std::string());
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
                   : std::string(waiting) +
                         ", oldest first. Approve puts a comment up and clears its reports; reject and "
                         "hide take it down.";
  page.empty_text = decided ? "No decisions yet." : "Nothing waits here.";
  if (auto done = ctx.query_value("done")) {
    if (*done == "ban")
      page.notice = "The author is banned.";
    else if (*done == "bulk")
      page.notice = std::string(ctx.query_value("n").value_or("0")) + " comments decided.";
    else
      page.notice = "Decision saved.";
  }

  std::string& top = page.actions_html;
  top += "<nav class=\"queue__views\" aria-label=\"Queues\">";
  for (auto [view, label] : {std::pair{"open", "Open"}, std::pair{"held", "Held"}, std::pair{"reported", "Reported"},
                             std::pair{"decided", "Recently decided"}}) {
    top += "<a href=\"/moderation?view=" + std::string(view) + html_escape(filters) + "\"";
    if (q.view == view) top += " aria-current=\"page\"";
    top += std::string(">") + label + "</a> ";
  }
  top += "<a href=\"/moderation/log\">Audit log</a></nav>";
  top +=
      "<form class=\"queue__filters\" method=\"get\" action=\"/moderation\"><input type=\"hidden\" name=\"view\" "
      "value=\"" +
      q.view + "\"><label>Article <input name=\"article\" value=\"" + html_escape(article_filter) +
      "\" placeholder=\"slug\" size=\"18\"></label> <label>Rule <select name=\"rule\"><option value=\"\">Any</option>";
  for (auto [name, label] : kHoldingRules)
    top +=
        std::string("<option value=\"") + name + "\"" + (q.rule == name ? " selected" : "") + ">" + label + "</option>";
  top += "</select></label> <label>Reader <input name=\"reader\" inputmode=\"numeric\" size=\"6\" value=\"" +
         (q.author_id ? std::to_string(*q.author_id) : std::string()) +
         "\" placeholder=\"id\"></label> <button class=\"button button--small\" type=\"submit\">Filter</button></form>";
  if (!queue.empty()) {
    top += "<form id=\"bulk\" class=\"queue__bulk\" method=\"post\" action=\"/moderation/decisions\">" +
           csrf_input(ctx) + refused_here("bulk") + "<input type=\"hidden\" name=\"return_to\" value=\"" +
           html_escape(here) +
           "\"><label>Selected comments: reason <input name=\"reason\" maxlength=\"500\" placeholder=\"optional\" "
           "value=\"" +
           typed("bulk", "reason") + "\"></label> ";
    for (auto [value, label] : {std::pair{"approve", "Approve selected"}, std::pair{"reject", "Reject selected"},
                                std::pair{"hide", "Hide selected"}})
      top += std::string("<button class=\"button button--small\" type=\"submit\" name=\"decision\" value=\"") + value +
             "\">" + label + "</button> ";
    top +=
        "</form><p class=\"queue__keys\">Keys: <kbd>j</kbd> and <kbd>k</kbd> move between comments, <kbd>a</kbd> "
        "approves, <kbd>r</kbd> rejects, <kbd>h</kbd> hides, <kbd>x</kbd> selects.</p>";
  }

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
        card.note =
            std::to_string(item.open_reports) + (item.open_reports == 1 ? " report: " : " reports: ") + item.reasons;
      else if (item.comment.status == CommentStatus::pending)
        card.note = item.rule_reason;
    }
    std::string& a = card.actions_html;
    a += "<div class=\"card__moderation\" data-queue-item=\"" + id + "\">";
    bool selected = refusal && std::find(refusal->ids.begin(), refusal->ids.end(), id) != refusal->ids.end();
    a += "<label class=\"card__select\"><input type=\"checkbox\" name=\"ids\" value=\"" + id + "\" form=\"bulk\"" +
         (selected ? " checked" : "") + "> Select</label>";
    std::string decision_form = "decision-" + id;
    a += "<form class=\"card__decision\" method=\"post\" action=\"/moderation/comments/" + id + "/decision\">" +
         csrf_input(ctx);
    a += refused_here(decision_form);
    a += "<input type=\"hidden\" name=\"return_to\" value=\"" + html_escape(here) + "\">";
    a += "<label class=\"visually-hidden\" for=\"reason-" + id + "\">Reason</label>";
    a += "<input id=\"reason-" + id +
         "\" name=\"reason\" maxlength=\"500\" placeholder=\"Reason (optional)\" value=\"" +
         typed(decision_form, "reason") + "\">";
    for (auto [value, label] :
         {std::pair{"approve", "Approve"}, std::pair{"reject", "Reject"}, std::pair{"hide", "Hide"}})
      a += std::string("<button class=\"button button--small\" type=\"submit\" name=\"decision\" value=\"") + value +
           "\" data-key=\"" + value[0] + "\">" + label + "</button>";
    a += "</form>";
    if (item.comment.author_id) {
      std::string author = std::to_string(*item.comment.author_id);
      a += "<a class=\"card__history\" href=\"/moderation/readers/" + author + "\">Reader's history</a>";
      // Staff cannot be banned (the ban would be refused): no button, and the reason why.
      if (is_staff(item.author_role))
        a += "<span class=\"card__staff\">The author is " +
             std::string(item.author_role == Role::moderator ? "a " : "an ") +
             std::string(to_string(item.author_role)) + ": staff cannot be banned.</span>";
      else
        a += "<form class=\"card__ban\" method=\"post\" action=\"/moderation/accounts/" + author + "/ban\">" +
             csrf_input(ctx) + refused_here("ban-" + author) + "<input type=\"hidden\" name=\"return_to\" value=\"" +
             html_escape(here) +
             "\"><input type=\"hidden\" name=\"reason\" value=\"Banned from the moderation queue\">"
             "<button class=\"button button--small button--quiet\" type=\"submit\">Ban the author</button></form>";
    }
    a += "</div>";
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
  auto refused_here = [&](std::string_view form) {
    if (!refusal || placed || refusal->form != form) return std::string();
    placed = true;
    return error_html(refusal->message);
  };
  auto typed = [&](std::string_view form, std::string_view name) {
    return refusal && refusal->form == form ? html_escape(field(refusal->typed, name)) : std::string();
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

  std::string& top = page.actions_html;
  top += "<p><a href=\"/readers/" + sid + "\">Public profile</a> · <a href=\"/moderation?view=decided&reader=" + sid +
         "\">Decisions on their comments</a> · <a href=\"/moderation/log?reader=" + sid + "\">Audit log</a></p>";
  if (who.role == Role::reader) {
    auto sanction_form = [&](const std::string& action, const std::string& label, const std::string& placeholder,
                             bool required) {
      top += "<form class=\"history__form\" method=\"post\" action=\"/moderation/accounts/" + sid + "/sanctions\">" +
             csrf_input(ctx) + refused_here(action) + "<input type=\"hidden\" name=\"action\" value=\"" + action +
             "\">";
      if (!placeholder.empty())
        top += "<label>" + label + " <input name=\"reason\" maxlength=\"500\" placeholder=\"" + placeholder + "\"" +
               (required ? " required" : "") + " value=\"" + typed(action, "reason") + "\"></label> ";
      top += "<button class=\"button button--small\" type=\"submit\">" + label + "</button></form>";
    };
    top += "<div class=\"history__sanctions\"><h2>Sanctions</h2>";
    sanction_form("warn", "Warn", "What the reader must read and acknowledge", true);
    top += "<form class=\"history__form\" method=\"post\" action=\"/moderation/accounts/" + sid + "/ban\">" +
           csrf_input(ctx) + refused_here("suspend") + "<input type=\"hidden\" name=\"return_to\" value=\"" + back +
           "\"><label>Suspend until (UTC) <input type=\"datetime-local\" name=\"until\" required value=\"" +
           typed("suspend", "until") + "\"></label> <label>Reason <input name=\"reason\" maxlength=\"500\" value=\"" +
           typed("suspend", "reason") +
           "\"></label> <button class=\"button button--small\" type=\"submit\">Suspend</button></form>";
    top += "<form class=\"history__form\" method=\"post\" action=\"/moderation/accounts/" + sid + "/ban\">" +
           csrf_input(ctx) + refused_here("ban") + "<input type=\"hidden\" name=\"return_to\" value=\"" + back +
           "\"><label>Reason <input name=\"reason\" maxlength=\"500\" value=\"" + typed("ban", "reason") +
           "\"></label> <button class=\"button button--small\" type=\"submit\">Ban</button></form>";
    if (who.banned_until && *who.banned_until > articles_.now())
      top += "<form class=\"history__form\" method=\"post\" action=\"/moderation/accounts/" + sid + "/ban\">" +
             csrf_input(ctx) + refused_here("lift") +
             "<input type=\"hidden\" name=\"lift\" value=\"1\"><input type=\"hidden\" name=\"return_to\" value=\"" +
             back +
             "\"><button class=\"button button--small button--quiet\" type=\"submit\">Lift the ban or "
             "suspension</button></form>";
    if (who.premoderated)
      sanction_form("release", "Stop pre-moderating", "", false);
    else
      sanction_form("premoderate", "Pre-moderate every comment", "Reason (optional)", false);
    top += "</div>";
  }
  top += "<div class=\"history__notes\"><h2>Notes and acts</h2>";
  top += "<form class=\"history__form\" method=\"post\" action=\"/moderation/accounts/" + sid + "/sanctions\">" +
         csrf_input(ctx) + refused_here("note") +
         "<input type=\"hidden\" name=\"action\" value=\"note\"><label>Note for "
         "moderators <input name=\"reason\" maxlength=\"500\" required value=\"" +
         typed("note", "reason") +
         "\"></label> <button class=\"button button--small\" type=\"submit\">Add note</button></form>";
  if (h.log.empty())
    top += "<p>Nothing recorded yet.</p>";
  else {
    top +=
        "<div class=\"log__scroll\"><table "
        "class=\"log\"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Comment</th><th>Reason or "
        "note</th></tr></thead><tbody>";
    for (const auto& e : h.log)
      top += "<tr><td>" + short_time(e.created_at) + "</td><td>" +
             html_escape(e.actor_name.empty() ? "API token or CLI" : e.actor_name) + "</td><td>" +
             action_cell(e.action) + "</td><td>" + (e.comment_id ? "#" + std::to_string(*e.comment_id) : "") +
             "</td><td>" + html_escape(e.reason) + "</td></tr>";
    top += "</tbody></table></div>";
  }
  top += "</div><h2>Comments, newest first</h2>";
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
  std::string& top = page.actions_html;
  top +=
      "<form class=\"queue__filters\" method=\"get\" action=\"/moderation/log\"><label>Act <select name=\"action\">"
      "<option value=\"\">Any</option>";
  bool known = q.action.empty();
  for (auto [code, label] : kAuditActions) {
    known = known || code == q.action;
    top += "<option value=\"" + std::string(code) + "\"" + (code == q.action ? " selected" : "") + ">" +
           std::string(label) + "</option>";
  }
  if (!known) top += "<option value=\"" + html_escape(q.action) + "\" selected>" + html_escape(q.action) + "</option>";
  top += "</select></label> <label>Reader <input name=\"reader\" inputmode=\"numeric\" size=\"6\" value=\"" +
         (q.subject_id ? std::to_string(*q.subject_id) : std::string()) +
         "\"></label> <button class=\"button button--small\" type=\"submit\">Filter</button> <a "
         "href=\"/moderation/log.csv\" "
         "download>Export all as CSV</a> · <a href=\"/moderation\">Queue</a></form>";
  if (entries.empty())
    top += "<p class=\"activity__empty\">Nothing logged.</p>";
  else {
    top +=
        "<div class=\"log__scroll\"><table "
        "class=\"log\"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Comment</th><th>Reader</th><th>Why</th></"
        "tr></thead><tbody>";
    for (const auto& e : entries) {
      top += "<tr><td>" + short_time(e.created_at) + "</td><td>" +
             html_escape(e.actor_name.empty() ? "API token or CLI" : e.actor_name) + "</td><td>" +
             action_cell(e.action) + "</td><td>" + (e.comment_id ? "#" + std::to_string(*e.comment_id) : "") +
             "</td><td>";
      if (e.account_id)
        top += "<a href=\"/moderation/readers/" + std::to_string(*e.account_id) + "\">#" +
               std::to_string(*e.account_id) + "</a>";
      top += "</td><td>" + html_escape(e.reason) + "</td></tr>";
    }
    top += "</tbody></table></div>";
  }
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
