// The Store: every piece of state Tribune keeps, as a set of roles (store/roles/), one interface each.
// Engines live in sub-folders (sqlite/, postgres/) and implement every role; services take only the roles
// they use, so a test can hand them a fake of just those; nothing above store/ sees SQL, a connection or an
// engine type.
//
// Contract for every engine and every role:
//  - Every method is safe to call from any thread, concurrently.
//  - A write method returns only after its effects are durable (committed and synced); concurrent writers
//    may share one commit (group commit). If it throws, none of its effects happened.
//  - Errors surface as tribune::Error: conflict for uniqueness violations, unavailable when the engine
//    cannot be reached or is shutting down, internal otherwise. Messages name no table, column or file.
#pragma once

#include "store/roles/accounts.h"
#include "store/roles/admin.h"
#include "store/roles/analytics.h"
#include "store/roles/articles.h"
#include "store/roles/audit.h"
#include "store/roles/comments.h"
#include "store/roles/embed.h"
#include "store/roles/images.h"
#include "store/roles/imports.h"
#include "store/roles/ledger.h"
#include "store/roles/moderation.h"
#include "store/roles/node_bus.h"
#include "store/roles/outbox.h"
#include "store/roles/rate.h"
#include "store/roles/search.h"
#include "store/roles/social.h"
#include "store/roles/tokens.h"
#include "store/roles/webhooks.h"

namespace tribune {

// An engine: every role at once. Only the composition root (app/) and the engines name it.
class Store : public StoreAdmin,
              public ArticleStore,
              public TokenStore,
              public AccountStore,
              public CommentStore,
              public ImageStore,
              public OutboxStore,
              public SocialStore,
              public ModerationStore,
              public AuditLog,
              public LedgerStore,
              public NodeBus,
              public RateCounters,
              public WebhookStore,
              public ImportStore,
              public EmbedStore,
              public SearchStore,
              public AnalyticsStore {};

}  // namespace tribune
