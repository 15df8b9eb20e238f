#include "web/account_pages.h"

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

PageRenderer::SimpleForm link_expired_page(const std::string& heading) {
  PageRenderer::SimpleForm f;
  f.heading = heading;
  f.lead = "This link has expired or was already used.";
  f.show_form = false;
  f.after_html =
      "You can ask for a new one: <a href=\"/forgot\">reset your password</a> or, signed in, from "
      "<a href=\"/account\">your account</a>.";
  return f;
}

}  // namespace

Response AccountPages::register_form(RequestContext& ctx) {
  auto return_to = safe_return_to(ctx.query_value("return_to").value_or("/"));
  if (ctx.principal.signed_in()) return see_other(return_to);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.register_form = true;
  f.return_to = return_to;
  return html_page(ctx, http::status::ok, renderer_.account_form(f, articles_.sections()));
}

Response AccountPages::signin_form(RequestContext& ctx) {
  auto return_to = safe_return_to(ctx.query_value("return_to").value_or("/"));
  if (ctx.principal.signed_in()) return see_other(return_to);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.return_to = return_to;
  return html_page(ctx, http::status::ok, renderer_.account_form(f, articles_.sections()));
}

Response AccountPages::register_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.register_form = true;
  f.return_to = safe_return_to(field(form, "return_to"));
  f.email = field(form, "email");
  f.display_name = field(form, "display_name");
  try {
    auto started = accounts_.register_account(f.email, f.display_name, field(form, "password"), client_of(ctx));
    Response r = see_other(f.return_to);
    r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
    return r;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict && e.kind() != ErrorKind::rate_limited) throw;
    f.error = e.message();
    Response r = html_page(ctx, status_for(e.kind()), renderer_.account_form(f, articles_.sections()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response AccountPages::signin_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.return_to = safe_return_to(field(form, "return_to"));
  f.email = field(form, "email");
  try {
    auto started = accounts_.sign_in(f.email, field(form, "password"), client_of(ctx));
    Response r = see_other(f.return_to);
    r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
    return r;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unauthenticated && e.kind() != ErrorKind::rate_limited) throw;
    f.error = e.message();
    Response r = html_page(ctx, status_for(e.kind()), renderer_.account_form(f, articles_.sections()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response AccountPages::signout_submit(RequestContext& ctx) {
  if (ctx.principal.signed_in()) accounts_.sign_out(ctx.principal.session_token);
  // Back to the page the reader signed out from (the masthead's form says which).
  std::string back = "/";
  if (ctx.request[http::field::content_type].starts_with("application/x-www-form-urlencoded"))
    back = safe_return_to(field(parse_form(ctx.request.body()), "return_to"));
  Response r = see_other(back);
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountPages::account_page(RequestContext& ctx, http::status status, std::string notice, std::string error) {
  auto account = accounts_.find(ctx.principal.account_id);
  if (!account) return see_other("/signin");
  PageRenderer::AccountView v{*account,
                              accounts_.sessions(account->id),
                              ctx.principal.session_id,
                              ctx.principal.csrf_token,
                              std::move(notice),
                              std::move(error),
                              accounts_.pending_email(account->id),
                              contributions_.of_reader(account->id)};
  return html_page(ctx, status, renderer_.account_page(v, articles_.sections()));
}

Response AccountPages::account(RequestContext& ctx) {
  static const std::map<std::string, std::string, std::less<>> notices = {
      {"name", "Your display name is saved."},
      {"email",
       "Check your new address: we sent it a confirmation link. Your account keeps its current address until you open "
       "it."},
      {"password", "Your password is changed."},
      {"verification", "A new confirmation link is on its way."},
      {"digest", "Your notification mail choice is saved."},
      {"contribution", "Your monthly contribution is cancelled: no further payments will be taken."},
      {"badge", "Your supporter badge choice is saved."},
      {"warning", "Thank you: you can comment again."}};
  std::string notice;
  if (auto done = ctx.query_value("done"))
    if (auto it = notices.find(*done); it != notices.end()) notice = it->second;
  return account_page(ctx, http::status::ok, notice, {});
}

Response AccountPages::account_change_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  const auto& action = ctx.param("action");
  try {
    if (action == "name") {
      accounts_.change_display_name(ctx.principal.account_id, field(form, "display_name"));
    } else if (action == "email") {
      accounts_.change_email(ctx.principal.account_id, field(form, "password"), field(form, "email"));
    } else if (action == "password") {
      accounts_.change_password(ctx.principal.account_id, ctx.principal.session_id, field(form, "current_password"),
                                field(form, "new_password"), field(form, "sign_out_others") == "1");
    } else if (action == "delete") {
      try {
        accounts_.delete_account(ctx.principal.account_id, field(form, "password"));
      } catch (const Error& e) {
        if (e.code() != "payment_provider_error") throw;
        return account_page(ctx, http::status::service_unavailable, {},
                            "Your monthly contribution could not be cancelled with our payment provider just now, so "
                            "nothing was deleted. Please try again in a few minutes.");
      }
      Response r = see_other("/");
      r.headers.insert(http::field::set_cookie, cookie_.clear());
      return r;
    } else {
      throw not_found("The page");
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::not_found || e.kind() == ErrorKind::internal || e.kind() == ErrorKind::unavailable)
      throw;
    return account_page(ctx, status_for(e.kind()), {}, e.message());
  }
  return see_other("/account?done=" + action);
}

Response AccountPages::contribution_cancel_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The contribution");
  form_of(ctx);
  try {
    contributions_.cancel_monthly(ctx.principal.account_id, *id);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unavailable) throw;
    return account_page(ctx, http::status::service_unavailable, {},
                        "Your monthly contribution could not be cancelled with our payment provider just now. Please "
                        "try again in a few minutes.");
  }
  return see_other("/account?done=contribution#contributions");
}

Response AccountPages::admin_accounts(RequestContext& ctx) {
  int64_t after = 0;
  if (auto a = ctx.query_value("after")) {
    auto [p, ec] = std::from_chars(a->data(), a->data() + a->size(), after);
    if (ec != std::errc() || p != a->data() + a->size()) after = 0;
  }
  constexpr int kPage = 100;
  auto accounts = accounts_.list_accounts(after, kPage);
  std::optional<std::string> next;
  if (static_cast<int>(accounts.size()) == kPage) next = "/admin/accounts?after=" + std::to_string(accounts.back().id);
  std::string notice = ctx.query_value("done") ? "The role is saved." : "";
  return html_page(ctx, http::status::ok,
                   renderer_.admin_accounts(accounts, ctx.principal.csrf_token, notice, next, articles_.sections()));
}

Response AccountPages::admin_role_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The account");
  accounts_.set_role(ctx.principal.account_id, *id, field(form, "role"));
  return see_other("/admin/accounts?done=1");
}

Response AccountPages::end_session_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The session");
  accounts_.end_session(ctx.principal.account_id, *id);
  return see_other("/account");
}

Response AccountPages::verify_form(RequestContext& ctx) {
  std::string token(ctx.query_value("token").value_or(""));
  if (!accounts_.link_valid(token, "verify"))
    return html_page(ctx, http::status::gone,
                     renderer_.simple_form(link_expired_page("Confirm your email address"), articles_.sections()));
  PageRenderer::SimpleForm f;
  f.heading = "Confirm your email address";
  f.lead = "Press the button to confirm that this address is yours.";
  f.action = "/verify";
  f.submit = "Confirm my address";
  f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response AccountPages::verify_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    accounts_.verify_email(field(form, "token"));
  } catch (const Error& e) {
    if (e.code() != "link_expired") throw;
    return html_page(ctx, http::status::gone,
                     renderer_.simple_form(link_expired_page("Confirm your email address"), articles_.sections()));
  }
  PageRenderer::SimpleForm f;
  f.heading = "Thank you";
  f.lead = "Your email address is confirmed.";
  f.show_form = false;
  f.after_html = "<a href=\"/\">Go to the front page</a>";
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response AccountPages::forgot_form(RequestContext& ctx) {
  PageRenderer::SimpleForm f;
  f.heading = "Forgotten your password?";
  f.lead = "Enter the email address of your account and we will send you a link to choose a new password.";
  f.action = "/forgot";
  f.submit = "Send the link";
  f.hidden = {{"csrf_token", ctx.principal.csrf_token}};
  f.fields = {{"email", "Email", "email", "email", "", 254}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response AccountPages::forgot_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    accounts_.request_password_reset(field(form, "email"), client_of(ctx));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::rate_limited) throw;
    PageRenderer::SimpleForm f;
    f.heading = "Forgotten your password?";
    f.error = e.message();
    f.show_form = false;
    Response r = html_page(ctx, http::status::too_many_requests, renderer_.simple_form(f, articles_.sections()));
    r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
  PageRenderer::SimpleForm f;
  f.heading = "Check your mail";
  f.lead = "If an account uses that address, a link to reset its password is on its way. It works for 30 minutes.";
  f.show_form = false;
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response AccountPages::reset_form(RequestContext& ctx) {
  std::string token(ctx.query_value("token").value_or(""));
  if (!accounts_.link_valid(token, "reset"))
    return html_page(ctx, http::status::gone,
                     renderer_.simple_form(link_expired_page("Choose a new password"), articles_.sections()));
  PageRenderer::SimpleForm f;
  f.heading = "Choose a new password";
  f.lead = "This signs you out everywhere; then sign in with the new password.";
  f.action = "/reset";
  f.submit = "Save the new password";
  f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
  f.fields = {
      {"password", "New password", "password", "new-password", "At least 8 characters; 15 or more is better.", 256}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response AccountPages::reset_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  std::string token = field(form, "token");
  try {
    accounts_.reset_password(token, field(form, "password"));
  } catch (const Error& e) {
    if (e.code() == "link_expired")
      return html_page(ctx, http::status::gone,
                       renderer_.simple_form(link_expired_page("Choose a new password"), articles_.sections()));
    if (e.kind() != ErrorKind::invalid) throw;
    PageRenderer::SimpleForm f;
    f.heading = "Choose a new password";
    f.error = e.message();
    f.action = "/reset";
    f.submit = "Save the new password";
    f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
    f.fields = {
        {"password", "New password", "password", "new-password", "At least 8 characters; 15 or more is better.", 256}};
    return html_page(ctx, http::status::unprocessable_entity, renderer_.simple_form(f, articles_.sections()));
  }
  PageRenderer::SimpleForm f;
  f.heading = "Password changed";
  f.lead = "Your password is changed and every session was signed out.";
  f.show_form = false;
  f.after_html = "<a href=\"/signin\">Sign in</a>";
  Response r = html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountPages::resend_verification_submit(RequestContext& ctx) {
  accounts_.resend_verification(ctx.principal.account_id);
  return see_other("/account?done=verification");
}

Response AccountPages::sign_out_everywhere_submit(RequestContext& ctx) {
  accounts_.sign_out_everywhere(ctx.principal.account_id);
  Response r = see_other("/");
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response AccountPages::digest_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    readers_.set_digest(ctx.principal.account_id, field(form, "digest"));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    return account_page(ctx, http::status::unprocessable_entity, {}, e.message());
  }
  return see_other("/account?done=digest");
}

Response AccountPages::supporter_badge_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  readers_.show_supporter_badge(ctx.principal.account_id, field(form, "show") == "1");
  return see_other("/account?done=badge");
}

}  // namespace tribune::web
