// The demo publication's forum: readers and conversations on the two newest articles, so that a newcomer who
// runs `tribune serve --demo` sees a living conversation (threads several levels deep, recommends, an
// editor's pick, a reader following another, a supporter's badge, a comment held for the moderators).
// Demo readers have addresses at demo.invalid and unusable random passwords; every comment is dated within
// a day of its article, before any closing rule bites.
#include <sodium.h>

#include <algorithm>
#include <map>

#include "app/app.h"
#include "domain/markdown.h"
#include "domain/mentions.h"
#include "util/text.h"

namespace tribune {

namespace {

struct DemoReader {
  const char* handle;  // the key the conversations below use
  const char* name;
};

constexpr DemoReader kReaders[] = {
    {"maria", "Maria Okafor"}, {"tom", "Tom Hendry"}, {"priya", "Priya Raman"},
    {"jon", "Jon Eriksen"},    {"liz", "Liz Carrow"}, {"sam", "Sam Adeyemi"},
};

struct DemoComment {
  int parent;          // index of the comment replied to in this conversation; -1: a new thread
  const char* author;  // a DemoReader handle
  int minutes;         // after the article appeared
  const char* body;
  int recommends = 0;  // by the first N other demo readers
  bool pick = false;
  bool held = false;  // waits in the moderation queue
};

struct DemoConversation {
  const char* slug;
  std::vector<DemoComment> comments;
};

const std::vector<DemoConversation>& conversations() {
  static const std::vector<DemoConversation> all = {
      {"our-cities-must-learn-to-hold-water",
       {
           {-1, "maria", 35,
            "Our street flooded twice last year. The council's answer both times was a letter about sandbags. "
            "The idea that a park could be *designed* to flood, so that our kitchens do not, is the first thing "
            "in years that has sounded like a plan.",
            4, true},
           {0, "tom", 52,
            "Designed to flood sounds fine until it is your children's football pitch that is underwater "
            "every October. Who decides which neighbourhood gets the puddle?",
            2},
           {1, "maria", 70,
            "Fair question, but a pitch that is wet for two days is not the same as a ground floor that is "
            "ruined for six months. And the pitch drains by itself; my skirting boards did not.",
            3},
           {2, "priya", 95,
            "There is research on exactly this: the best schemes are the ones where residents chose the spots. "
            "Copenhagen ran street-by-street meetings before a single kerb was moved.",
            2},
           {3, "jon", 130,
            "@PriyaRaman do you have a link? Our residents' association would like to copy the process, not "
            "just the drawings.",
            1},
           {-1, "liz", 80,
            "Nobody mentions maintenance. Permeable paving clogs in a few years unless someone sweeps it "
            "properly, and that is exactly the budget line that gets cut first.",
            3},
           {5, "sam", 110,
            "Same with green roofs. Lovely for the first three summers, then nobody owns the watering rota.", 1},
           {5, "tom", 140, "This is the most useful comment here. Plans are cheap; upkeep is the real cost.", 0},
           {-1, "jon", 200,
            "The article is right that pipes alone will not do it, but the piece undersells how much of this "
            "is about insurance. Homes that cannot be insured cannot be sold.",
            1},
           {-1, "sam", 260, "Typical spin: the developers who paved over the meadows should pay for all of it.", 0,
            false, true},
       }},
      {"the-library-is-the-last-room-where-nobody-is-selling-you-anything",
       {
           {-1, "priya", 40,
            "I did my homework in a library for six years because our flat had no quiet room. I would not "
            "have the job I have without it. Every closure is a ladder being pulled up.",
            5, true},
           {0, "liz", 65, "Same here. The librarians were the first adults who took my questions seriously.", 2},
           {1, "maria", 90,
            "And they still do: ours runs a weekly session helping people fill in benefit forms online. No "
            "one else in the town offers that for free.",
            2},
           {-1, "tom", 75,
            "I love libraries, but the honest argument is about opening hours. A branch open three afternoons "
            "a week is not a room anyone can rely on.",
            2},
           {3, "jon", 120,
            "Agreed. I would rather have fewer branches open every evening than many that are shut when people "
            "finish work.",
            1},
           {4, "priya", 150,
            "Fewer branches means longer journeys for exactly the people who cannot pay for the bus. That "
            "trade-off should at least be said out loud.",
            3},
       }},
  };
  return all;
}

}  // namespace

int App::load_demo_forum() {
  std::map<std::string, int64_t, std::less<>> ids;
  for (const auto& r : kReaders) {
    std::string email = std::string(r.handle) + "@demo.invalid";
    unsigned char secret[24];  // a password nobody knows: demo readers never sign in
    randombytes_buf(secret, sizeof secret);
    auto password = base64url_encode(std::string_view(reinterpret_cast<const char*>(secret), sizeof secret));
    ids[r.handle] = accounts_->create_account(email, r.name, password, "reader").id;
  }
  auto id_of = [&](std::string_view handle) { return ids.at(std::string(handle)); };
  int added = 0;
  for (const auto& conv : conversations()) {
    auto article = store_->find_article(conv.slug);
    if (!article) continue;
    auto latest = articles_->now() - std::chrono::minutes(5);
    std::vector<int64_t> posted;
    for (const auto& c : conv.comments) {
      NewComment n;
      n.article_id = article->id;
      if (c.parent >= 0) n.parent_id = posted.at(static_cast<size_t>(c.parent));
      n.author_id = id_of(c.author);
      n.body_markdown = c.body;
      n.body_html = render_markdown(c.body, {.tables = false, .ugc_links = true});
      n.created_at = std::min(article->published_at + std::chrono::minutes(c.minutes), latest);
      n.status = c.held ? CommentStatus::pending : CommentStatus::published;
      if (c.held) {
        n.moderation_rule = "suspect_words";
        n.moderation_reason = "A demo comment held for the moderators: it calls others' arguments \"spin\".";
      }
      n.mentions = extract_mentions(c.body);
      auto saved = store_->add_comment(n);
      posted.push_back(saved.comment.id);
      ++added;
      if (c.pick) store_->set_pick(saved.comment.id, true);
      int given = 0;
      for (const auto& r : kReaders) {
        if (given >= c.recommends) break;
        if (std::string_view(r.handle) == c.author) continue;
        store_->set_reaction(saved.comment.id, id_of(r.handle), "recommend", true);
        ++given;
      }
    }
  }
  // Jon follows Priya (her replies reach his notifications and feed); Maria is a supporter who shows it.
  store_->set_follow(id_of("jon"), id_of("priya"), true);
  auto c = store_->create_contribution(NewContribution{1000, "GBP", "once", std::nullopt, "demo", id_of("maria"),
                                                       "maria@demo.invalid", articles_->now()});
  PaymentEvent paid;  // as a paid checkout would be recorded (no provider is involved)
  paid.event_id = "demo_supporter";
  paid.type = "checkout.session.completed";
  paid.created = articles_->now().time_since_epoch().count();
  paid.payload = "{}";
  paid.contribution_id = c.id;
  paid.status = "paid";
  paid.payment = PaymentEvent::Payment{"demo_payment", 1000, "GBP"};
  paid.money_arrived = true;  // makes her a supporter (no thank-you mail: the callback gives none)
  store_->apply_payment_event(paid, [](const Contribution&) { return std::optional<OutboxMail>(); });
  store_->set_show_supporter(id_of("maria"), true);
  return added;
}

}  // namespace tribune
