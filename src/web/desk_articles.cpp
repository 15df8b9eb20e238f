#include "web/desk_articles.h"

#include <boost/json.hpp>

#include "domain/dateline.h"
#include "domain/markdown.h"
#include "domain/text_diff.h"
#include "http/cursors.h"
#include "http/error_mapping.h"
#include "web/form_support.h"

namespace tribune::web {

namespace json = boost::json;

// The editor form: what was typed (or what the stored article holds), and what to say about it.
struct DeskArticles::Editor {
  Form fields;
  std::optional<Article> article;  // the stored article being edited; none: a new one
  std::optional<int64_t> version;  // the version the next save starts from; default: the article's
  std::string error, error_field, notice;
};

namespace {

constexpr std::string_view kEditorFields[] = {
    "title",        "slug",       "standfirst", "description", "authors",       "author_bio",
    "section",      "tags",       "body",       "source_name", "source_url",    "comments",
    "published_at", "correction", "image",      "image_alt",   "image_caption", "image_credit"};

// The lead image's upload fields carry the image's own field names in errors ("alt": "image_alt").
std::string editor_field_of(const std::string& error_field) {
  if (error_field == "image") return "image_file";
  if (error_field == "alt" || error_field == "caption" || error_field == "credit") return "image_" + error_field;
  return error_field;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "Ana Ruiz, Tomás Ferreira" -> two names; blanks between commas are dropped.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    auto item = trim(std::string(text.substr(start, comma - start)));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

Form fields_of(const Article& a, const Locality& where) {
  std::vector<std::string> names;
  for (const auto& au : a.authors) names.push_back(au.name);
  return {{"title", a.title},
          {"slug", a.slug},
          {"standfirst", a.standfirst},
          {"description", a.description},
          {"authors", joined(names)},
          {"author_bio", a.authors.empty() ? std::string() : a.authors.front().bio},
          {"section", a.section.name},
          {"tags", joined(a.tags)},
          {"body", a.body_markdown},
          {"source_name", a.source_name},
          {"source_url", a.source_url},
          {"comments", std::string(to_string(a.comments))},
          // A draft shows a time only when one was set for it (else it carries its last save's, and publishing
          // dates it).
          {"published_at", a.state == ArticleState::draft && a.published_at == a.updated_at
                               ? std::string()
                               : format_local_input(a.published_at, where)},
          {"correction", a.correction},
          {"image", a.lead_image}};
}

ArticleDraft draft_of(const Form& f, const Locality& where) {
  ArticleDraft d;
  d.title = field(f, "title");
  d.slug = field(f, "slug");
  d.standfirst = field(f, "standfirst");
  d.description = field(f, "description");
  d.authors = split_list(field(f, "authors"));
  d.author_bio = field(f, "author_bio");
  d.section = field(f, "section");
  d.tags = split_list(field(f, "tags"));
  d.body_markdown = field(f, "body");
  d.source_name = trim(field(f, "source_name"));
  d.source_url = trim(field(f, "source_url"));
  d.correction = field(f, "correction");
  d.lead_image = field(f, "image_remove") == "1" ? std::string() : trim(field(f, "image"));
  auto mode = parse_comments_mode(field(f, "comments").empty() ? "default" : field(f, "comments"));
  if (!mode) throw invalid_field("comments", "invalid_value", "Choose how comments work on this article.");
  d.comments = *mode;
  if (auto when = trim(field(f, "published_at")); !when.empty()) {
    auto t = parse_local(when, where);
    if (!t)
      throw invalid_field("published_at", "invalid_time",
                          "The publication time must be a date and a time, such as 2026-12-05T10:30.");
    d.published_at = *t;
  }
  return d;
}

std::string status_line(const Article& a, TimePoint now, const Locality& where) {
  auto status = desk_status(a, now);
  if (status == "draft") return "Draft, last saved " + format_dateline(a.updated_at, where);
  if (status == "scheduled") return "Scheduled for " + format_dateline(a.published_at, where);
  if (status == "published") return "Published " + format_dateline(a.published_at, where);
  if (status == "retracted") return "Retracted " + format_dateline(a.retracted_at, where);
  return "Deleted: its address answers “gone”. Save it as a draft to bring it back.";
}

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

Article DeskArticles::article_in_path(const RequestContext& ctx) const {
  auto a = articles_.find_any(ctx.param("slug"));
  if (!a) throw not_found("The article");
  return std::move(*a);
}

Response DeskArticles::list(RequestContext& ctx) {
  ArticleQuery q;
  q.limit = 30;
  auto status_text = std::string(ctx.query_value("status").value_or(""));
  q.status = parse_desk_status(status_text).value_or(DeskStatus::any);
  auto section = std::string(ctx.query_value("section").value_or(""));
  auto tag = trim(std::string(ctx.query_value("tag").value_or("")));
  auto author = std::string(ctx.query_value("author").value_or(""));
  auto search = trim(std::string(ctx.query_value("q").value_or("")));
  if (!section.empty()) q.section_slug = section;
  if (!tag.empty()) q.tag = tag;
  if (!author.empty()) q.author_slug = slugify(author);
  q.title_contains = search;
  if (auto c = ctx.query_value("cursor")) q.after = decode_cursor(*c);
  auto page = articles_.desk_list(q);

  const auto& where = articles_.locality();
  auto now = articles_.now();
  json::array rows;
  for (const auto& a : page.articles) {
    std::vector<std::string> names;
    for (const auto& au : a.authors) names.push_back(au.name);
    auto status = desk_status(a, now);
    json::object row{
        {"title", a.title},
        {"edit_url", "/desk/articles/" + a.slug},
        {"status", std::string(status)},
        {"when", format_local(status == "draft" ? a.updated_at : a.published_at, where, "d MMM yyyy HH:mm")},
        {"section", a.section.name},
        {"authors", joined(names)}};
    if (status == "published" || status == "retracted") row["view_url"] = articles_.url_for(a);
    rows.push_back(std::move(row));
  }
  json::array statuses;
  for (auto [value, label] :
       {std::pair{"", "All but deleted"}, std::pair{"draft", "Drafts"}, std::pair{"scheduled", "Scheduled"},
        std::pair{"published", "Published"}, std::pair{"retracted", "Retracted"}, std::pair{"deleted", "Deleted"}})
    statuses.push_back(json::object{{"value", value}, {"label", label}, {"selected", status_text == value}});
  json::array sections;
  for (const auto& s : articles_.sections())
    sections.push_back(json::object{{"slug", s.slug}, {"name", s.name}, {"selected", s.slug == section}});
  json::object view{
      {"rows", std::move(rows)},
      {"has_rows", !page.articles.empty()},
      {"statuses", std::move(statuses)},
      {"sections", std::move(sections)},
      {"tag", tag},
      {"author", author},
      {"q", search},
      {"filtered", !status_text.empty() || !section.empty() || !tag.empty() || !author.empty() || !search.empty()}};
  if (page.next) {
    std::string next = "/desk?cursor=" + encode_cursor(*page.next);
    for (auto [key, value] : {std::pair{"status", status_text}, std::pair{"section", section}, std::pair{"tag", tag},
                              std::pair{"author", author}, std::pair{"q", search}})
      if (!value.empty()) next += std::string("&") + key + "=" + percent_encode(value);
    view["next_url"] = next;
  }
  if (auto deleted = ctx.query_value("deleted"); deleted && is_valid_slug(*deleted))
    view["notice"] = "Deleted: “" + std::string(*deleted) + "” now answers “gone” to readers.";
  return html_page(ctx, http::status::ok, renderer_.page_from("desk_articles", view, "Articles", articles_.sections()));
}

Response DeskArticles::editor(RequestContext& ctx, http::status status, const Editor& e) {
  const auto& a = e.article;
  auto now = articles_.now();
  auto state = a ? std::string(desk_status(*a, now)) : std::string("new");
  json::object view{{"is_new", !a},
                    {"slug_editable", !a || (a->state == ArticleState::draft && !a->went_out)},
                    {"action_url", a ? "/desk/articles/" + a->slug : std::string("/desk/articles")},
                    {"csrf_token", ctx.principal.csrf_token},
                    {"version", std::to_string(e.version.value_or(a ? a->version : 0))},
                    {"state", state},
                    {"zone", articles_.locality().time_zone},
                    {"error", text_or_null(e.error)},
                    {"notice", text_or_null(e.notice)}};
  for (auto name : kEditorFields) view[name] = field(e.fields, name);
  view["more_open"] = !field(e.fields, "source_name").empty() || !field(e.fields, "source_url").empty() ||
                      !field(e.fields, "correction").empty() || e.error_field.starts_with("source");
  // The buttons: a piece not yet out is saved as a draft or published; one that is out is updated in place.
  bool unpublished = !a || a->state == ArticleState::draft || a->state == ArticleState::deleted;
  view["can_draft"] = unpublished;
  view["can_publish"] = unpublished;
  view["can_update"] = !unpublished;
  if (a) {
    view["heading"] = "Edit “" + a->title + "”";
    view["revisions_url"] = "/desk/articles/" + a->slug + "/revisions";
    view["status_line"] = status_line(*a, now, articles_.locality());
    if (state == "published" || state == "retracted") view["view_url"] = articles_.url_for(*a);
    view["can_unpublish"] = a->state == ArticleState::published || a->state == ArticleState::retracted;
    view["can_retract"] = a->state == ArticleState::published;
    view["can_delete"] = a->state != ArticleState::deleted;
  } else {
    view["heading"] = "New article";
  }
  if (auto image = images_.find(field(e.fields, "image"))) {
    view["lead_image"] = json::object{{"id", image->id},
                                      {"html", picture_html(*image, "12rem", false)},
                                      {"alt", image->text.alt},
                                      {"caption", image->text.caption},
                                      {"credit", image->text.credit}};
  }
  view["image_open"] = !field(e.fields, "image").empty() || e.error_field.starts_with("image");
  json::array modes;
  for (auto [value, label] :
       {std::pair{"default", "The site's rule"}, std::pair{"open", "Open"},
        std::pair{"premoderated", "Open, each comment held for a moderator"}, std::pair{"closed", "Closed"}})
    modes.push_back(
        json::object{{"value", value}, {"label", label}, {"selected", field(e.fields, "comments") == value}});
  view["modes"] = std::move(modes);
  json::array sections;
  for (const auto& s : articles_.sections()) sections.push_back(json::string(s.name));
  view["section_names"] = std::move(sections);
  // The field the error names is marked and described by the error.
  for (auto name : kEditorFields)
    view[std::string(name) + "_invalid"] = !e.error_field.empty() && e.error_field == name;
  view["image_file_invalid"] = e.error_field == "image_file";
  if (e.error_field == "authors" || e.error_field == "tags" || e.error_field == "status") view["title_invalid"] = false;
  auto title = a ? "Edit " + a->title : std::string("New article");
  return html_page(ctx, status, renderer_.page_from("desk_article_form", view, title, articles_.sections()));
}

Response DeskArticles::new_form(RequestContext& ctx) {
  Editor e;
  e.fields["comments"] = "default";
  return editor(ctx, http::status::ok, e);
}

Response DeskArticles::edit_form(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  Editor e{fields_of(a, articles_.locality()), a, std::nullopt, "", "", ""};
  auto saved = ctx.query_value("saved").value_or("");
  auto status = desk_status(a, articles_.now());
  if (saved == "draft")
    e.notice = "Draft saved.";
  else if (saved == "publish")
    e.notice = status == "scheduled" ? "Scheduled: it goes out at the time below." : "Published.";
  else if (saved == "update")
    e.notice = "Saved: the article on the site is updated.";
  else if (saved == "unpublished")
    e.notice = "Unpublished: the article is a draft again, and its address answers “not found”.";
  else if (saved == "retracted")
    e.notice = "Retracted: the notice is on the article.";
  else if (saved == "restored")
    e.notice = "Restored: the earlier text is saved as the newest revision.";
  return editor(ctx, http::status::ok, e);
}

Response DeskArticles::create(RequestContext& ctx) {
  return submit(ctx, std::nullopt);
}

Response DeskArticles::save(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  return submit(ctx, a);
}

Response DeskArticles::submit(RequestContext& ctx, const std::optional<Article>& existing) {
  auto form = form_of(ctx);
  bool autosave = field(form, "autosave") == "1";
  auto action = field(form, "action");
  Editor e{form, existing, std::nullopt, "", "", ""};
  try {
    // A picture chosen for the lead image is stored first, and stays chosen (in the form) whatever becomes
    // of this save.
    if (auto file = uploaded_file(ctx, "image_file"); !file.empty()) {
      auto up = images_.upload(
          file, ImageText{field(form, "image_alt"), field(form, "image_caption"), field(form, "image_credit")},
          ctx.principal.name);
      form["image"] = e.fields["image"] = up.image.id;
      form.erase("image_remove");
      e.fields["image_alt"] = e.fields["image_caption"] = e.fields["image_credit"] = "";
    }
    auto draft = draft_of(form, articles_.locality());
    if (action == "draft")
      draft.state = ArticleState::draft;
    else if (action == "publish")
      draft.state = ArticleState::published;
    else if (action != "update" || !existing)
      throw invalid_field("action", "invalid_action", "Choose Save draft, Publish or Update.");
    std::optional<int64_t> version;
    if (existing) {
      // A draft's address may change until it goes out (never by an autosave: the page would lose its
      // address under the editor); once out it is fixed.
      auto typed_slug = trim(field(form, "slug"));
      if (!autosave && existing->state == ArticleState::draft && !existing->went_out && !typed_slug.empty() &&
          typed_slug != existing->slug)
        draft.previous_slug = existing->slug;
      else
        draft.slug = existing->slug;
      // A scheduled piece whose time is cleared goes out now; a published one keeps its date (and URL). The
      // form shows minutes: the time sent back as shown keeps the stored one (its seconds, and its side of a
      // repeated hour).
      if (!draft.published_at && desk_status(*existing, articles_.now()) == "scheduled")
        draft.published_at = articles_.now();
      if (trim(field(form, "published_at")) == format_local_input(existing->published_at, articles_.locality()))
        draft.published_at = existing->published_at;
      version = existing->version;
      auto typed = field(form, "version");
      if (!typed.empty()) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(typed.data(), typed.data() + typed.size(), v);
        if (ec != std::errc() || p != typed.data() + typed.size())
          throw Error(ErrorKind::bad_request, "invalid_version", "The form's version is not a number.");
        version = v;
      }
    }
    auto saved = articles_.publish(std::move(draft), existing.has_value(), version,
                                   DeskActor{ctx.principal.actor(), ctx.principal.name});
    if (autosave)
      return Response::json(
          http::status::ok,
          json::serialize(json::object{{"slug", saved.slug},
                                       {"version", saved.version},
                                       {"status", std::string(desk_status(saved, articles_.now()))},
                                       {"saved_at", format_local(articles_.now(), articles_.locality(), "HH:mm")}}));
    return see_other("/desk/articles/" + saved.slug + "?saved=" + action);
  } catch (const Error& err) {
    if (autosave) return json_error(err);
    auto status = http::status::unprocessable_entity;
    if (err.code() == "edit_conflict") {
      status = http::status::conflict;
      e.error =
          "Someone else saved this article since you opened it. Your text is below, unsaved: open the article "
          "in another tab to see theirs, then save again to replace it with yours.";
      if (existing)
        if (auto current = articles_.find_any(existing->slug)) e.version = current->version;
    } else if (err.code() == "slug_taken") {
      status = http::status::conflict;
      e.error = "Another article already has the address “" + field(form, "slug") +
                "”: choose another slug (or leave it empty to make one from the headline).";
      e.error_field = "slug";
      if (field(form, "slug").empty()) e.error_field = "title";
    } else if (err.kind() == ErrorKind::invalid) {
      e.error = err.message();
      e.error_field = editor_field_of(err.field());
    } else {
      throw;
    }
    return editor(ctx, status, e);
  }
}

Response DeskArticles::preview(RequestContext& ctx) {
  auto form = form_of(ctx);
  Response r;
  try {
    auto d = draft_of(form, articles_.locality());
    validate_draft(d);
    Article a;
    a.slug = d.slug;
    a.title = d.title;
    a.standfirst = d.standfirst;
    a.description = d.description;
    for (size_t i = 0; i < d.authors.size(); ++i)
      a.authors.push_back(Author{0, slugify(d.authors[i]), d.authors[i], i == 0 ? d.author_bio : std::string()});
    a.section = Section{0, slugify(d.section), d.section};
    a.tags = d.tags;
    a.published_at = d.published_at.value_or(articles_.now());
    a.updated_at = a.published_at;
    a.correction = d.correction;
    a.body_markdown = d.body_markdown;
    a.body_html = articles_.render_body(d.body_markdown);
    if (images_.find(d.lead_image)) a.lead_image = d.lead_image;
    a.source_name = d.source_name;
    a.source_url = d.source_url;
    a.comments = d.comments;
    r = html_page(ctx, http::status::ok, renderer_.article(a, Conversation{}, articles_.sections()));
  } catch (const Error& err) {
    if (err.kind() != ErrorKind::invalid) throw;
    PageRenderer::SimpleForm f;
    f.heading = "Nothing to preview yet";
    f.lead = err.message();
    f.show_form = false;
    r = html_page(ctx, http::status::unprocessable_entity, renderer_.simple_form(f, articles_.sections()));
  }
  // Shown in the editor's frame (the pipeline then allows this site, and only it, to frame the answer).
  r.headers.set("X-Frame-Options", "SAMEORIGIN");
  r.headers.set("X-Robots-Tag", "noindex");
  return r;
}

Response DeskArticles::unpublish(RequestContext& ctx) {
  auto a = articles_.unpublish(ctx.param("slug"), DeskActor{ctx.principal.actor(), ctx.principal.name});
  return see_other("/desk/articles/" + a.slug + "?saved=unpublished");
}

Response DeskArticles::revisions(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  json::array rows;
  for (const auto& r : articles_.revisions(a.slug))
    rows.push_back(json::object{{"url", "/desk/articles/" + a.slug + "/revisions/" + std::to_string(r.id)},
                                {"version", r.version},
                                {"when", format_dateline(r.saved_at, articles_.locality())},
                                {"who", r.saved_by.empty() ? std::string("unknown") : r.saved_by},
                                {"current", r.version == a.version}});
  bool has_rows = !rows.empty();
  json::object view{{"title", a.title}, {"slug", a.slug}, {"rows", std::move(rows)}, {"has_rows", has_rows}};
  return html_page(ctx, http::status::ok,
                   renderer_.page_from("desk_revisions", view, "Revisions of " + a.title, articles_.sections()));
}

Response DeskArticles::revision(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  auto id = ctx.id_param("id");
  auto r = id ? articles_.revision(a.slug, *id) : std::nullopt;
  if (!r) throw not_found("The revision");
  json::array diff;
  int changed = 0;
  for (const auto& line : diff_lines(r->draft.body_markdown, a.body_markdown)) {
    if (line.kind != DiffLine::Kind::same) ++changed;
    diff.push_back(json::object{{"kind", to_string(line.kind)},
                                {"sign", line.kind == DiffLine::Kind::same      ? " "
                                         : line.kind == DiffLine::Kind::removed ? "−"
                                                                                : "+"},
                                {"text", line.text},
                                {"removed", line.kind == DiffLine::Kind::removed},
                                {"added", line.kind == DiffLine::Kind::added}});
  }
  const auto& d = r->draft;
  json::array fields;
  auto compare = [&](std::string_view label, const std::string& then, const std::string& now) {
    fields.push_back(json::object{{"label", label}, {"then", then}, {"now", now}, {"differs", then != now}});
  };
  std::vector<std::string> names;
  for (const auto& au : a.authors) names.push_back(au.name);
  compare("Headline", d.title, a.title);
  compare("Standfirst", d.standfirst, a.standfirst);
  compare("Authors", joined(d.authors), joined(names));
  compare("Section", d.section, a.section.name);
  compare("Tags", joined(d.tags), joined(a.tags));
  compare("Correction note", d.correction, a.correction);
  compare("First appeared in", d.source_name, a.source_name);
  json::object view{
      {"title", a.title},
      {"slug", a.slug},
      {"version", r->meta.version},
      {"current_version", std::to_string(a.version)},
      {"is_current", r->meta.version == a.version},
      {"when", format_dateline(r->meta.saved_at, articles_.locality())},
      {"who", r->meta.saved_by.empty() ? std::string("unknown") : r->meta.saved_by},
      {"fields", std::move(fields)},
      {"diff", std::move(diff)},
      {"unchanged", changed == 0},
      {"restore_url", "/desk/articles/" + a.slug + "/revisions/" + std::to_string(r->meta.id) + "/restore"},
      {"csrf_token", ctx.principal.csrf_token}};
  return html_page(ctx, http::status::ok,
                   renderer_.page_from("desk_revision", view, "A revision of " + a.title, articles_.sections()));
}

Response DeskArticles::restore(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The revision");
  auto form = form_of(ctx);
  std::optional<int64_t> version;
  if (auto v = form_id(form, "version")) version = *v;
  try {
    articles_.restore(a.slug, *id, version, DeskActor{ctx.principal.actor(), ctx.principal.name});
  } catch (const Error& err) {
    if (err.code() != "edit_conflict") throw;
    throw Error(ErrorKind::conflict, "edit_conflict",
                "Someone saved this article after you opened the revision: nothing was restored. Open the "
                "revision again to compare it with their text.");
  }
  return see_other("/desk/articles/" + a.slug + "?saved=restored");
}

Response DeskArticles::confirm(RequestContext& ctx, const Article& a, std::string_view act, const std::string& error) {
  bool retract = act == "retract";
  json::object view{{"title", a.title},
                    {"slug", a.slug},
                    {"retract", retract},
                    {"action_url", "/desk/articles/" + a.slug + "/" + std::string(act)},
                    {"csrf_token", ctx.principal.csrf_token},
                    {"error", text_or_null(error)},
                    {"comment_count", a.comment_count}};
  auto title = std::string(retract ? "Retract " : "Delete ") + a.title;
  return html_page(ctx, error.empty() ? http::status::ok : http::status::unprocessable_entity,
                   renderer_.page_from("desk_confirm", view, title, articles_.sections()));
}

Response DeskArticles::retract_form(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  return confirm(ctx, a, "retract", "");
}

Response DeskArticles::retract(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  auto form = form_of(ctx);
  try {
    articles_.retract(a.slug, field(form, "note"), DeskActor{ctx.principal.actor(), ctx.principal.name});
  } catch (const Error& err) {
    if (err.kind() != ErrorKind::invalid && err.kind() != ErrorKind::conflict) throw;
    return confirm(
        ctx, a, "retract",
        err.code() == "missing_field" ? "Say why the article is retracted: readers see this note." : err.message());
  }
  return see_other("/desk/articles/" + a.slug + "?saved=retracted");
}

Response DeskArticles::delete_form(RequestContext& ctx) {
  auto a = article_in_path(ctx);
  return confirm(ctx, a, "delete", "");
}

Response DeskArticles::remove(RequestContext& ctx) {
  auto a = articles_.remove(ctx.param("slug"), DeskActor{ctx.principal.actor(), ctx.principal.name});
  return see_other("/desk?deleted=" + a.slug);
}

namespace {

std::string size_text(int64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " bytes";
  constexpr int64_t kMega = 1000000;
  if (bytes < kMega) return std::to_string((bytes + 500) / 1000) + " kB";
  auto tenths = (bytes + kMega / 20) / (kMega / 10);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

}  // namespace

Response DeskArticles::images(RequestContext& ctx) {
  return library(ctx, http::status::ok, {}, "");
}

Response DeskArticles::library(RequestContext& ctx, http::status status, const ImageText& typed,
                               const std::string& error) {
  auto uploaded = std::string(ctx.query_value("uploaded").value_or(""));
  json::object view{{"csrf_token", ctx.principal.csrf_token},
                    {"alt", typed.alt},
                    {"caption", typed.caption},
                    {"credit", typed.credit},
                    {"error", text_or_null(error)}};
  json::array items;
  for (const auto& image : images_.recent(60)) {
    int64_t total = 0;
    for (const auto& r : image.renditions) total += r.size;
    json::object o{{"id", image.id},
                   {"html", picture_html(image, "12rem", true)},
                   {"alt", image.text.alt},
                   {"caption", image.text.caption},
                   {"credit", image.text.credit},
                   {"markdown", image_markdown(image)},
                   {"size", std::to_string(image.width) + " × " + std::to_string(image.height) + " pixels, " +
                                std::to_string(image.renditions.size()) + " renditions (" + size_text(total) + ")"},
                   {"uploaded", format_dateline(image.created_at, articles_.locality()) +
                                    (image.created_by.empty() ? std::string() : " by " + image.created_by)},
                   {"new", image.id == uploaded}};
    items.push_back(std::move(o));
  }
  view["images"] = std::move(items);
  view["empty"] = view["images"].as_array().empty();
  if (!uploaded.empty() && images_.find(uploaded))
    view["notice"] = "Uploaded. Copy its Markdown (below) into an article's text where the picture goes.";
  return html_page(ctx, status, renderer_.page_from("desk_images", view, "Images", articles_.sections()));
}

Response DeskArticles::upload_image(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    auto up = images_.upload(uploaded_file(ctx, "image"),
                             ImageText{field(form, "alt"), field(form, "caption"), field(form, "credit")},
                             ctx.principal.name);
    return see_other("/desk/images?uploaded=" + up.image.id + "#image-" + up.image.id);
  } catch (const Error& err) {
    if (err.kind() != ErrorKind::invalid) throw;
    // The library again, with the error where the form is and what was typed kept.
    return library(ctx, http::status::unprocessable_entity,
                   ImageText{field(form, "alt"), field(form, "caption"), field(form, "credit")}, err.message());
  }
}

}  // namespace tribune::web
