// Which changes are webhook events, said once for both engines: each is a trigger on the table that changes,
// so the event is written in the transaction of the change on every path (the API, the pages, the command
// line, an import), and a rolled-back change leaves none. An event is written only while some endpoint has
// chosen its type. A trigger on webhook_events then queues one delivery to each enabled endpoint that chose
// it. Private to store/ (the engines' migrations render it in their dialect).
#pragma once

#include <string>
#include <vector>

namespace tribune::store_webhooks {

enum class Dialect { sqlite, postgres };

// The DDL of schema step 24 after its tables: every event trigger and the fan-out trigger.
std::string trigger_sql(Dialect d);

// One announcement pass, statement by statement, each taking the time now (?1 / $1), in the caller's
// transaction: article.published for every published article whose time has come and that receivers have not
// been told of (articles.announced), article.unpublished for every told one that is no longer published.
std::vector<std::string> announce_sql(Dialect d);

// Whether a pass (claiming deliveries, announcing articles) has anything to do at the time ?1 / $1: a read,
// through the partial indexes, so that the senders' once-a-second passes take no write transaction from the
// writers when idle (most of the time).
std::string any_delivery_due_sql(Dialect d);
std::string any_article_to_announce_sql(Dialect d);

}  // namespace tribune::store_webhooks
