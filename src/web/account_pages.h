// Accounts without JavaScript (api/accounts_api.h's counterpart): registration, signing in and out, the
// account page and its changes, sessions, the mail links (confirm the address, reset a forgotten password),
// and the admins' account list.
#pragma once

#include "domain/accounts.h"
#include "domain/contributions.h"
#include "web/page_kit.h"

namespace tribune::web {

class AccountPages : public PageKit {
 public:
  AccountPages(const PageKit& kit, AccountService& accounts, ContributionService& contributions)
      : PageKit(kit), accounts_(accounts), contributions_(contributions) {}

  Response register_form(RequestContext& ctx);               // GET /register?return_to=
  Response register_submit(RequestContext& ctx);             // POST /register
  Response signin_form(RequestContext& ctx);                 // GET /signin?return_to=
  Response signin_submit(RequestContext& ctx);               // POST /signin
  Response signout_submit(RequestContext& ctx);              // POST /signout
  Response account(RequestContext& ctx);                     // GET /account?done=
  Response end_session_submit(RequestContext& ctx);          // POST /account/sessions/{id}/end
  Response sign_out_everywhere_submit(RequestContext& ctx);  // POST /account/sign-out-everywhere

  // Mail links: confirm the address, reset a forgotten password.
  Response verify_form(RequestContext& ctx);                 // GET /verify?token=   (a button: mail scanners only GET)
  Response verify_submit(RequestContext& ctx);               // POST /verify
  Response forgot_form(RequestContext& ctx);                 // GET /forgot
  Response forgot_submit(RequestContext& ctx);               // POST /forgot
  Response reset_form(RequestContext& ctx);                  // GET /reset?token=
  Response reset_submit(RequestContext& ctx);                // POST /reset
  Response resend_verification_submit(RequestContext& ctx);  // POST /account/verification
  Response account_change_submit(RequestContext& ctx);       // POST /account/{name,email,password,delete}
  Response digest_submit(RequestContext& ctx);               // POST /account/digest (digest=immediate|daily|off)
  Response supporter_badge_submit(RequestContext& ctx);      // POST /account/supporter-badge (show=1|0)
  Response contribution_cancel_submit(RequestContext& ctx);  // POST /account/contributions/{id}/cancel
  Response admin_accounts(RequestContext& ctx);              // GET /admin/accounts?after= (admin)
  Response admin_role_submit(RequestContext& ctx);           // POST /admin/accounts/{id}/role (admin)

 private:
  Response account_page(RequestContext& ctx, http::status status, std::string notice, std::string error);

  AccountService& accounts_;
  ContributionService& contributions_;
};

}  // namespace tribune::web
