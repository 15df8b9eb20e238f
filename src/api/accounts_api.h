// JSON API v1: registration, sessions, the signed-in reader.
#pragma once

#include "domain/accounts.h"
#include "http/cookies.h"
#include "http/message.h"

namespace tribune::api {

class AccountsApi {
 public:
  AccountsApi(AccountService& accounts, SessionCookie cookie) : accounts_(accounts), cookie_(std::move(cookie)) {}

  // POST /api/v1/accounts {email, password, display_name} -> 201 {account, csrf_token} + session cookie
  Response register_account(RequestContext& ctx);
  // POST /api/v1/sessions {email, password} -> 200 {account, csrf_token} + session cookie
  Response sign_in(RequestContext& ctx);
  // DELETE /api/v1/sessions/current -> 204, cookie cleared
  Response sign_out(RequestContext& ctx);
  // GET /api/v1/me -> {account, csrf_token} or 401
  Response me(RequestContext& ctx);
  // GET /api/v1/me/sessions -> {sessions: [{id, created_at, last_seen_at, user_agent, ip, current}]}
  Response sessions(RequestContext& ctx);
  // DELETE /api/v1/me/sessions/{id} -> 204
  Response end_session(RequestContext& ctx);
  // DELETE /api/v1/me/sessions -> 204: signs out every session, this one included
  Response sign_out_everywhere(RequestContext& ctx);
  // PATCH /api/v1/me {display_name} -> {account}
  Response update_me(RequestContext& ctx);
  // POST /api/v1/me/email {email, password} -> 202: the new address gets a confirmation link
  Response change_email(RequestContext& ctx);
  // POST /api/v1/me/password {current_password, new_password, sign_out_others?} -> 204
  Response change_password(RequestContext& ctx);
  // GET /api/v1/me/export -> every piece of data about the reader, as a JSON download
  Response export_data(RequestContext& ctx);
  // DELETE /api/v1/me {password} -> 204; comments remain, shown as from "Deleted reader"
  Response delete_me(RequestContext& ctx);
  // GET /api/v1/admin/accounts?after=ID&limit=N (admin) -> {accounts, next_after}
  Response admin_list(RequestContext& ctx);
  // PUT /api/v1/admin/accounts/{id}/role {role} (admin) -> 204
  Response admin_set_role(RequestContext& ctx);
  // POST /api/v1/password-resets {email} -> 202, the same whether or not the address has an account
  Response request_reset(RequestContext& ctx);
  // POST /api/v1/password-resets/confirm {token, password} -> 204; 422 link_expired
  Response confirm_reset(RequestContext& ctx);
  // POST /api/v1/email-verifications/confirm {token} -> 204; 422 link_expired
  Response confirm_verification(RequestContext& ctx);
  // POST /api/v1/me/email-verifications -> 202 (signed in): mails a new confirmation link
  Response resend_verification(RequestContext& ctx);

 private:
  AccountService& accounts_;
  SessionCookie cookie_;
};

}  // namespace tribune::api
