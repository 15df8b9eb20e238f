// Notification mail: a digest of a reader's unread notifications, sent through the mail outbox as soon as
// they arrive ("immediate", at most one mail per run), once a day ("daily") or never ("off"). Only verified
// addresses get mail. Every node may run it: the store moves each reader's cursor with a compare-and-set,
// so one digest is queued per batch of notifications whatever the number of nodes.
#pragma once

#include "domain/accounts.h"
#include "domain/articles.h"
#include "store/roles/social.h"

namespace tribune {

class DigestService {
 public:
  DigestService(SocialStore& store, ArticleService& articles, MailSettings mail)
      : store_(store), articles_(articles), mail_(std::move(mail)) {}

  // Queues the digests due now; returns how many mails were queued.
  int run_once();
  // The mail for these notifications (exposed for tests and previews).
  OutboxMail compose(const DueDigest& due) const;

 private:
  SocialStore& store_;
  ArticleService& articles_;
  MailSettings mail_;
};

}  // namespace tribune
