#include "domain/accounts.h"

#include <sodium.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <array>
#include <memory>
#include <semaphore>

#include "domain/common_passwords.h"
#include "domain/tokens.h"

namespace tribune {

namespace {

// Argon2id takes 19 MiB per hash: at most this many run at once, so a registration burst cannot exhaust
// memory (the rest wait their turn on the blocking pool).
std::counting_semaphore<64> hashing_slots(4);

struct HashSlot {
  HashSlot() { hashing_slots.acquire(); }
  ~HashSlot() { hashing_slots.release(); }
};

std::string random_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Error bad(std::string field, std::string code, const std::string& message) {
  return invalid_field(std::move(field), std::move(code), message);
}

// Bidi overrides and isolates, zero-width and other invisible format characters: never in a display name.
bool is_forbidden_in_name(UChar32 c) {
  if (u_iscntrl(c)) return true;
  int8_t type = u_charType(c);
  if (type == U_FORMAT_CHAR || type == U_UNASSIGNED || type == U_PRIVATE_USE_CHAR || type == U_SURROGATE) return true;
  return c == 0x2028 || c == 0x2029 || c == 0x3164 || c == 0x115F || c == 0x1160;  // separators, Hangul fillers
}

}  // namespace

Role parse_role_field(std::string_view role) {
  auto r = parse_role(role);
  if (!r) throw invalid_field("role", "invalid_role", "role must be reader, moderator, editor or admin.");
  return *r;
}

bool is_common_password(std::string_view password) {
  std::string lower = to_lower_ascii(password);
  const auto& list = common_passwords();
  return std::binary_search(list.begin(), list.end(), lower);
}

namespace {

std::string skeleton_of(const icu::UnicodeString& u) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> checker(uspoof_open(&status), &uspoof_close);
  icu::UnicodeString skeleton;
  if (U_SUCCESS(status)) uspoof_getSkeletonUnicodeString(checker.get(), 0, u, skeleton, &status);
  if (U_FAILURE(status)) skeleton = u;
  skeleton.foldCase();
  std::string out;
  skeleton.toUTF8String(out);
  return out;
}

}  // namespace

std::array<std::string, 2> confusable_keys(std::string_view name) {
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  auto folded = u;
  folded.foldCase();
  // [0]: look-alikes among lower-case letters ("rn" ~ "m", Cyrillic "і" ~ "i").
  // [1]: the skeleton of the name as typed, folded and skeletoned again: catches case-dependent look-alikes
  //      ("HeIena" ~ "Helena", capital I for l) that folding first would erase.
  return {skeleton_of(folded), skeleton_of(icu::UnicodeString::fromUTF8(skeleton_of(u)))};
}

std::string AccountService::normalize_email(std::string_view input) {
  std::string email = trim(input);
  if (email.empty()) throw bad("email", "missing_field", "Enter your email address.");
  if (email.size() > kMaxEmail) throw bad("email", "invalid_email", "That email address is too long.");
  if (!is_valid_utf8(email) || has_control_chars(email))
    throw bad("email", "invalid_email", "That does not look like an email address.");
  size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() ||
      email.find_first_of(" \t\r\n<>()[]\\,;:\"") != std::string::npos)
    throw bad("email", "invalid_email", "That does not look like an email address.");
  std::string_view domain = std::string_view(email).substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos || email.find('@') != at)
    throw bad("email", "invalid_email", "That does not look like an email address.");
  return to_lower_ascii(email);
}

bool AccountService::reserved_name(const std::array<std::string, 2>& keys) {
  static const std::array<std::string_view, 6> reserved = {"admin",  "administrator", "moderator",
                                                           "editor", "tribune",       "the tribune"};
  for (auto r : reserved) {
    auto other = confusable_keys(r);
    if (keys[0] == other[0] || keys[0] == other[1] || keys[1] == other[0] || keys[1] == other[1]) return true;
  }
  return false;
}

std::string AccountService::clean_display_name(std::string_view input) {
  if (!is_valid_utf8(input)) throw bad("display_name", "invalid_utf8", "The name is not valid text.");
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(input.data(), static_cast<int32_t>(input.size())));
  icu::UnicodeString normalized = U_SUCCESS(status) ? nfkc->normalize(u, status) : u;
  if (U_FAILURE(status)) throw bad("display_name", "invalid_name", "The name could not be read.");
  for (int32_t i = 0; i < normalized.length();) {
    UChar32 c = normalized.char32At(i);
    if (is_forbidden_in_name(c))
      throw bad("display_name", "invalid_characters",
                "Names cannot contain control, invisible or text-direction characters.");
    i += U16_LENGTH(c);
  }
  std::string out;
  normalized.toUTF8String(out);
  out = trim(out);
  // Collapse runs of spaces: "A      B" impersonates "A B" too easily.
  std::string collapsed;
  for (char c : out)
    if (!(c == ' ' && !collapsed.empty() && collapsed.back() == ' ')) collapsed += c;
  if (collapsed.empty()) throw bad("display_name", "missing_field", "Choose a display name.");
  if (icu::UnicodeString::fromUTF8(collapsed).countChar32() > static_cast<int32_t>(kMaxDisplayName))
    throw bad("display_name", "too_long", "Display names are at most 50 characters.");
  return collapsed;
}

void AccountService::check_password(const std::string& password, const std::string& email,
                                    const std::string& name) const {
  if (password.size() > kMaxPassword * 4)
    throw bad("password", "password_too_long", "Passwords are at most 256 characters.");
  if (!is_valid_utf8(password)) throw bad("password", "invalid_utf8", "The password is not valid text.");
  auto chars = icu::UnicodeString::fromUTF8(password).countChar32();
  if (chars > static_cast<int32_t>(kMaxPassword))
    throw bad("password", "password_too_long", "Passwords are at most 256 characters.");
  if (chars < static_cast<int32_t>(kMinPassword))
    throw bad("password", "password_too_short", "Use at least 8 characters; 15 or more is better.");
  std::string lower = to_lower_ascii(password);
  if (is_common_password(password) || lower == to_lower_ascii(email) || lower == to_lower_ascii(name) ||
      lower == to_lower_ascii(email.substr(0, email.find('@'))))
    throw bad("password", "password_too_common", "That password is too easy to guess. Try a few unrelated words.");
}

AccountService::AccountService(AccountStore& accounts_store, AuditLog& audit, StoreAdmin& counters,
                               RateLimiter& limiter, SessionPolicy sessions, PasswordPolicy passwords,
                               AccountLimits limits, Now now)
    : accounts_store_(accounts_store),
      audit_(audit),
      counters_(counters),
      limiter_(limiter),
      sessions_(sessions),
      passwords_(passwords),
      limits_(limits),
      now_(std::move(now)) {
  if (sodium_init() < 0) throw Error(ErrorKind::internal, "sodium_failed", "libsodium failed to initialise");
  dummy_hash_ = hash_password(random_token());
}

std::string AccountService::hash_password(const std::string& password) const {
  char out[crypto_pwhash_STRBYTES];
  HashSlot slot;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), passwords_.opslimit, passwords_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(ErrorKind::unavailable, "out_of_memory", "The server is busy; try again.");
  return out;
}

std::string AccountService::csrf_for(std::string_view session_token) {
  static constexpr std::string_view context = "tribune csrf v1";
  unsigned char out[24];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     reinterpret_cast<const unsigned char*>(session_token.data()),
                     std::min<size_t>(session_token.size(), crypto_generichash_KEYBYTES_MAX));
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

AccountService::Started AccountService::register_account(const std::string& email, const std::string& display_name,
                                                         const std::string& password, const ClientInfo& client) {
  limiter_.hit("register:ip:" + client.ip, limits_.register_per_ip);
  auto normalized = normalize_email(email);
  auto name = clean_display_name(display_name);
  check_password(password, normalized, name);
  auto keys = confusable_keys(name);
  if (reserved_name(keys)) throw bad("display_name", "name_reserved", "That name is reserved. Please choose another.");
  if (accounts_store_.staff_name_taken(keys))
    throw bad("display_name", "name_reserved", "That name is too close to a staff member's. Please choose another.");
  NewAccount a{trim(email), normalized, name, keys, hash_password(password), Role::reader, now_()};
  return start_session(Account{}, client, true, &a);
}

AccountService::Started AccountService::start_session(const Account& existing, const ClientInfo& client,
                                                      bool with_account, const NewAccount* new_account) {
  Started s;
  s.session_token = random_token();
  s.csrf_token = csrf_for(s.session_token);
  NewSession ns{sha256(s.session_token), now_(), now_() + sessions_.absolute, client.user_agent.substr(0, 300),
                client.ip};
  if (with_account) {
    std::string token;
    auto [email_token, mail] = link_mail(new_account->email, new_account->display_name, "verify", token);
    auto created = accounts_store_.create_account(*new_account, ns, email_token, mail);
    s.account = created.account;
  } else {
    accounts_store_.create_session(existing.id, ns);
    s.account = existing;
  }
  return s;
}

AccountService::Started AccountService::sign_in(const std::string& email, const std::string& password,
                                                const ClientInfo& client) {
  limiter_.hit("signin:ip:" + client.ip, limits_.signin_per_ip);
  std::string normalized;
  try {
    normalized = normalize_email(email);
  } catch (const Error&) {
    normalized.clear();
  }
  Error denied(ErrorKind::unauthenticated, "invalid_credentials", "That email and password do not match an account.");
  if (password.size() > kMaxPassword * 4) throw denied;
  std::string account_key = "signin:account:" + normalized, pair_key = "signin:pair:" + normalized + "|" + client.ip;
  limiter_.hit({{pair_key, limits_.signin_per_account}, {account_key, limits_.signin_per_account_everywhere}});
  auto creds = normalized.empty() ? std::nullopt : accounts_store_.find_credentials(normalized);
  // Unknown emails cost the same hashing work as known ones: the response time does not tell them apart.
  // An account brought in by an import has no password until its reader resets one by mail.
  bool has_password = creds && !creds->password_hash.empty();
  const std::string& hash = has_password ? creds->password_hash : dummy_hash_;
  bool ok;
  {
    HashSlot slot;
    ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }
  if (!ok || !has_password) throw denied;
  limiter_.reset(pair_key);
  limiter_.reset(account_key);
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), passwords_.opslimit, passwords_.memlimit) != 0)
    accounts_store_.set_password_hash(creds->account.id, hash_password(password));
  return start_session(creds->account, client, false, nullptr);
}

std::optional<SignedIn> AccountService::authenticate(std::string_view token) {
  if (token.size() != 43) return std::nullopt;
  auto found = accounts_store_.find_session(sha256(token));
  if (!found) return std::nullopt;
  auto now = now_();
  if (now >= found->session.expires_at || now - found->session.last_seen_at >= sessions_.idle) {
    accounts_store_.delete_session(sha256(token));
    return std::nullopt;
  }
  if (now - found->session.last_seen_at >= sessions_.touch_every) accounts_store_.touch_session(found->session.id, now);
  return SignedIn{found->account, found->session.id, csrf_for(token)};
}

void AccountService::sign_out(std::string_view token) {
  accounts_store_.delete_session(sha256(token));
}

void AccountService::sign_out_everywhere(int64_t account_id) {
  accounts_store_.delete_sessions(account_id);
}

std::vector<SessionInfo> AccountService::sessions(int64_t account_id) {
  return accounts_store_.list_sessions(account_id);
}

void AccountService::end_session(int64_t account_id, int64_t session_id) {
  if (!accounts_store_.delete_account_session(account_id, session_id)) throw not_found("The session");
}

Account AccountService::create_account(const std::string& email, const std::string& display_name,
                                       const std::string& password, const std::string& role) {
  Role parsed = parse_role_field(role);
  auto normalized = normalize_email(email);
  auto name = clean_display_name(display_name);
  check_password(password, normalized, name);
  NewAccount a{trim(email), normalized, name, confusable_keys(name), hash_password(password), parsed, now_()};
  return accounts_store_.create_account(a, std::nullopt, std::nullopt, std::nullopt).account;
}

std::string AccountService::mail_link(const std::string& purpose, const std::string& token) const {
  std::string base = mail_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (purpose == "verify" ? "/verify?token=" : "/reset?token=") + token;
}

std::pair<EmailToken, OutboxMail> AccountService::link_mail(const std::string& to, const std::string& name,
                                                            const std::string& purpose, std::string& token) const {
  token = random_token();
  bool verify = purpose == "verify";
  auto ttl = verify ? mail_.verify_ttl : mail_.reset_ttl;
  EmailToken t{sha256(token), purpose, now_() + ttl};
  std::string link = mail_link(purpose, token);
  std::string minutes = std::to_string(ttl.count() / 60);
  OutboxMail m;
  m.to = to;
  if (verify) {
    m.subject = "Confirm your email address for " + mail_.site_name;
    m.body_text = "Hello " + name +
                  ",\n\nPlease confirm that this is your email address by opening this link and "
                  "pressing the button on the page:\n\n" +
                  link + "\n\nThe link works once, for " + minutes + " minutes. If you did not register at " +
                  mail_.site_name + ", ignore this message.\n";
  } else {
    m.subject = "Reset your " + mail_.site_name + " password";
    m.body_text = "Hello " + name +
                  ",\n\nSomeone (hopefully you) asked to reset the password of your account. "
                  "To choose a new one, open this link:\n\n" +
                  link + "\n\nThe link works once, for " + minutes +
                  " minutes. If you did not ask for this, ignore this message: your password stays as it is.\n";
  }
  return {t, m};
}

void AccountService::resend_verification(int64_t account_id) {
  limiter_.hit("verify-mail:account:" + std::to_string(account_id), {3, std::chrono::hours(1)});
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  if (account->email_verified_at)
    throw Error(ErrorKind::conflict, "already_verified", "Your email address is already verified.");
  std::string token;
  auto [t, m] = link_mail(account->email, account->display_name, "verify", token);
  accounts_store_.create_email_token(account_id, t, m);
}

void AccountService::verify_email(std::string_view token) {
  auto verified = token.size() == 43 ? accounts_store_.use_verify_token(sha256(token), now_()) : std::nullopt;
  if (!verified)
    throw Error(ErrorKind::invalid, "link_expired", "This link has expired or was already used. Ask for a new one.",
                "token");
  clear_sign_in_lock(verified->account_id);
}

void AccountService::request_password_reset(const std::string& email, const ClientInfo& client) {
  limiter_.hit("reset:ip:" + client.ip, limits_.signin_per_ip);
  std::string normalized;
  try {
    normalized = normalize_email(email);
  } catch (const Error&) {
    return;  // the same answer as for an unknown address
  }
  limiter_.hit("reset:email:" + normalized, {3, std::chrono::hours(1)});
  auto creds = accounts_store_.find_credentials(normalized);
  std::string token;
  auto [t, m] =
      link_mail(creds ? creds->account.email : normalized, creds ? creds->account.display_name : "", "reset", token);
  // One durable write either way, so that the response time does not tell a known address from another.
  if (creds)
    accounts_store_.create_email_token(creds->account.id, t, m);
  else
    counters_.bump_counter("password_resets_for_unknown_addresses");
}

void AccountService::reset_password(std::string_view token, const std::string& password) {
  Error expired(ErrorKind::invalid, "link_expired", "This link has expired or was already used. Ask for a new one.",
                "token");
  if (token.size() != 43 || !accounts_store_.email_token_valid(sha256(token), "reset", now_())) throw expired;
  check_password(password, "", "");
  auto account = accounts_store_.use_reset_token(sha256(token), hash_password(password), now_());
  if (!account) throw expired;
  clear_sign_in_lock(*account);
}

void AccountService::clear_sign_in_lock(int64_t account_id) {
  // Whoever opened a link mailed to the account's address owns it: failed attempts by others stop counting.
  auto account = accounts_store_.find_account(account_id);
  if (!account) return;
  limiter_.reset("signin:account:" + normalize_email(account->email));
}

Account AccountService::reauthenticate(int64_t account_id, const std::string& password) {
  limiter_.hit("reauth:account:" + std::to_string(account_id), limits_.signin_per_account);
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  auto creds = accounts_store_.find_credentials(normalize_email(account->email));
  bool ok;
  {
    HashSlot slot;
    ok = creds && !creds->password_hash.empty() && password.size() <= kMaxPassword * 4 &&
         crypto_pwhash_str_verify(creds->password_hash.c_str(), password.data(), password.size()) == 0;
  }
  if (!ok) throw Error(ErrorKind::unauthenticated, "invalid_credentials", "That password is not right.", "password");
  return *account;
}

Account AccountService::change_display_name(int64_t account_id, const std::string& input) {
  auto name = clean_display_name(input);
  auto keys = confusable_keys(name);
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  if (account->role == Role::reader) {
    static const std::array<std::string_view, 6> reserved = {"admin",  "administrator", "moderator",
                                                             "editor", "tribune",       "the tribune"};
    for (auto r : reserved) {
      auto other = confusable_keys(r);
      if (keys[0] == other[0] || keys[0] == other[1] || keys[1] == other[0] || keys[1] == other[1])
        throw bad("display_name", "name_reserved", "That name is reserved. Please choose another.");
    }
    if (accounts_store_.staff_name_taken(keys))
      throw bad("display_name", "name_reserved", "That name is too close to a staff member's. Please choose another.");
  }
  accounts_store_.set_display_name(account_id, name, keys);
  account->display_name = name;
  return *account;
}

void AccountService::change_email(int64_t account_id, const std::string& password, const std::string& new_email) {
  auto account = reauthenticate(account_id, password);
  auto normalized = normalize_email(new_email);
  if (normalized == normalize_email(account.email))
    throw bad("email", "same_email", "That is already the address of your account.");
  std::string address = trim(new_email), confirm_token, undo_token;
  // The account keeps its address until the new one confirms: a mistyped address locks nobody out, and
  // someone who has only the password cannot take the account's mail away from its owner.
  auto [confirm, confirm_mail] = link_mail(address, account.display_name, "verify", confirm_token);
  confirm.new_email = address;
  confirm.new_email_normalized = normalized;
  confirm_mail.subject = "Confirm your new email address for " + mail_.site_name;
  confirm_mail.body_text = "Hello " + account.display_name + ",\n\nYou asked " + mail_.site_name +
                           " to use this address for your account. Open this link and press the button on the page "
                           "to confirm it:\n\n" +
                           mail_link("verify", confirm_token) + "\n\nThe link works once, for " +
                           std::to_string(mail_.verify_ttl.count() / 60) +
                           " minutes. Until then your account keeps "
                           "its current address. If you did not ask for this, ignore this message.\n";
  // The current address hears of it, with a way to stop it: a reset cancels the change and signs out
  // every device.
  auto [undo, notice] = link_mail(account.email, account.display_name, "reset", undo_token);
  notice.subject = "Your " + mail_.site_name + " email address is about to change";
  notice.body_text = "Hello " + account.display_name +
                     ",\n\nSomeone signed in to your account asked to change its "
                     "email address to " +
                     address +
                     ". Nothing changes until that address confirms.\n\nIf this was "
                     "not you, choose a new password with this link: it cancels the change and signs out every "
                     "device.\n\n" +
                     mail_link("reset", undo_token) + "\n\nThe link works once, for " +
                     std::to_string(mail_.reset_ttl.count() / 60) +
                     " minutes. If it was you, there is nothing to do.\n";
  accounts_store_.request_email_change(account_id, confirm, confirm_mail, undo, notice);
}

void AccountService::change_password(int64_t account_id, int64_t session_id, const std::string& current,
                                     const std::string& next, bool sign_out_others) {
  auto account = reauthenticate(account_id, current);
  check_password(next, normalize_email(account.email), account.display_name);
  accounts_store_.set_password_hash(account_id, hash_password(next));
  if (sign_out_others) accounts_store_.delete_other_sessions(account_id, session_id);
}

void AccountService::delete_account(int64_t account_id, const std::string& password) {
  reauthenticate(account_id, password);
  if (before_delete_) before_delete_(account_id);
  accounts_store_.delete_account(account_id);
}

AccountService::Export AccountService::export_data(int64_t account_id) {
  auto account = accounts_store_.find_account(account_id);
  if (!account) throw not_found("The account");
  return Export{*account, accounts_store_.list_sessions(account_id),
                accounts_store_.comments_by_author(account_id, 1000000), accounts_store_.reader_records(account_id)};
}

void AccountService::set_role(int64_t actor_id, int64_t account_id, const std::string& role) {
  accounts_store_.set_role(account_id, parse_role_field(role));
  audit_.audit(actor_id, "set_role", account_id, role);
}

bool AccountService::link_valid(std::string_view token, const std::string& purpose) {
  return token.size() == 43 && accounts_store_.email_token_valid(sha256(token), purpose, now_());
}

}  // namespace tribune
