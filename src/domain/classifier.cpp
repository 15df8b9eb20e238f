#include "domain/classifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "store/roles/moderation.h"

namespace tribune {

namespace {

constexpr std::string_view kMagic = "TRBNB\x01";
constexpr const char* kModelName = "spam";

uint32_t fnv1a(std::string_view s, uint32_t h = 2166136261u) {
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool word_byte(unsigned char c) {
  return std::isalnum(c) || c >= 0x80 || c == '\'';
}

// Tokens as the model sees them: lower-case words (any UTF-8 letters kept as bytes), numbers folded to one
// token, links reduced to "link" plus their host, and the punctuation spam leans on kept as tokens.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (text.substr(i, 7) == "http://" || text.substr(i, 8) == "https://" || text.substr(i, 4) == "www.") {
      size_t start = text.find("//", i);
      start = (start == std::string_view::npos || start > i + 8) ? i : start + 2;
      size_t end = start;
      while (end < n && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '/' && text[end] != ')')
        ++end;
      out.emplace_back("\x01link");
      std::string host(text.substr(start, end - start));
      for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back("\x01host:" + host);
      while (end < n && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      i = end;
      continue;
    }
    if (word_byte(c)) {
      size_t j = i;
      bool digits = true;
      while (j < n && word_byte(static_cast<unsigned char>(text[j]))) {
        if (!std::isdigit(static_cast<unsigned char>(text[j]))) digits = false;
        ++j;
      }
      std::string w(text.substr(i, j - i));
      for (auto& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back(digits ? std::string("\x01num") : std::move(w));
      i = j;
      continue;
    }
    if (c == '$' || c == '!' || c == '@' || c == '%') out.emplace_back(1, static_cast<char>(c));
    ++i;
  }
  return out;
}

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

std::vector<uint32_t> SpamModel::features(std::string_view text) {
  auto words = tokens(text);
  std::vector<uint32_t> out;
  out.reserve(words.size() * 6);
  for (size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    out.push_back(fnv1a(w, fnv1a("w")));
    if (k + 1 < words.size()) out.push_back(fnv1a(words[k + 1], fnv1a(w + " ", fnv1a("b"))));
    if (w[0] == '\x01' || w.size() < 3) continue;
    std::string padded = "^" + w + "$";
    for (size_t p = 0; p + 3 <= padded.size(); ++p)
      out.push_back(fnv1a(std::string_view(padded).substr(p, 3), fnv1a("c")));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void SpamModel::learn(const std::vector<uint32_t>& features, bool spam) {
  int k = spam ? 1 : 0;
  for (uint32_t f : features) {
    ++counts_[f][k];
    ++totals_[k];
  }
  ++docs_[k];
}

double SpamModel::score(std::string_view text) const {
  if (docs_[0] == 0 || docs_[1] == 0) return 0.5;
  // Equal priors: the mix of decisions in a moderation queue says little about the mix of comments posted.
  const double alpha = 1.0;
  const double v = static_cast<double>(counts_.size()) + 1;
  const double d0 = static_cast<double>(totals_[0]) + alpha * v, d1 = static_cast<double>(totals_[1]) + alpha * v;
  double log_odds = 0;
  for (uint32_t f : features(text)) {
    auto it = counts_.find(f);
    if (it == counts_.end()) continue;  // unseen in both classes: no evidence either way
    log_odds += std::log((it->second[1] + alpha) / d1) - std::log((it->second[0] + alpha) / d0);
  }
  log_odds = std::clamp(log_odds, -50.0, 50.0);
  return 1.0 / (1.0 + std::exp(-log_odds));
}

std::string SpamModel::serialize() const {
  std::string out(kMagic);
  put(out, trained_through);
  for (int k : {0, 1}) put(out, docs_[k]);
  for (int k : {0, 1}) put(out, totals_[k]);
  put(out, static_cast<uint32_t>(counts_.size()));
  for (const auto& [f, c] : counts_) {
    put(out, f);
    put(out, c[0]);
    put(out, c[1]);
  }
  put(out, fnv1a64(out));
  return out;
}

std::optional<SpamModel> SpamModel::parse(std::string_view blob) {
  if (blob.size() < kMagic.size() + sizeof(uint64_t) || blob.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  std::string_view body = blob.substr(0, blob.size() - sizeof(uint64_t));
  std::string_view tail = blob.substr(body.size());
  uint64_t sum = 0;
  if (!get(tail, sum) || sum != fnv1a64(body)) return std::nullopt;
  std::string_view in = body.substr(kMagic.size());
  SpamModel m;
  uint32_t n = 0;
  if (!get(in, m.trained_through)) return std::nullopt;
  for (int k : {0, 1})
    if (!get(in, m.docs_[k])) return std::nullopt;
  for (int k : {0, 1})
    if (!get(in, m.totals_[k])) return std::nullopt;
  if (!get(in, n) || in.size() != static_cast<size_t>(n) * 12) return std::nullopt;
  m.counts_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t f = 0;
    std::array<uint32_t, 2> c{};
    get(in, f);
    get(in, c[0]);
    get(in, c[1]);
    m.counts_[f] = c;
  }
  return m;
}

Classifier::Classifier(ModerationStore& store, ClassifierSettings settings) : store_(store), settings_(settings) {}

void Classifier::load() {
  try {
    if (auto blob = store_.load_model(kModelName)) {
      if (auto m = SpamModel::parse(*blob)) {
        std::unique_lock lock(mu_);
        model_ = std::move(*m);
        saved_through_ = model_.trained_through;
      } else {
        spdlog::warn("classifier: the saved model is corrupt; rebuilding it from moderators' decisions");
      }
    }
    int learned = learn_new();
    save_if_changed();
    auto ex = examples();
    spdlog::info("classifier: {} wanted and {} spam examples ({} new)", ex[0], ex[1], learned);
  } catch (const std::exception& e) {
    spdlog::error("classifier: could not load the model ({}); moderation rules decide alone until it loads", e.what());
  }
}

int Classifier::learn_new() {
  std::lock_guard one(learn_mu_);
  int learned = 0;
  for (;;) {
    int64_t after;
    {
      std::shared_lock lock(mu_);
      after = model_.trained_through;
    }
    auto batch = store_.training_examples(after, 1000);
    if (batch.empty()) break;
    // Features are computed outside the lock; the model is locked only to add counts.
    std::vector<std::vector<uint32_t>> features;
    features.reserve(batch.size());
    for (const auto& e : batch) features.push_back(SpamModel::features(e.text));
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < batch.size(); ++i) model_.learn(features[i], batch[i].spam);
    model_.trained_through = batch.back().id;
    learned += static_cast<int>(batch.size());
    if (batch.size() < 1000) break;
  }
  return learned;
}

void Classifier::save_if_changed() {
  std::lock_guard one(learn_mu_);
  std::string blob;
  int64_t through;
  {
    std::shared_lock lock(mu_);
    if (model_.trained_through == saved_through_) return;
    blob = model_.serialize();
    through = model_.trained_through;
  }
  store_.save_model(kModelName, blob);
  saved_through_ = through;
}

std::optional<double> Classifier::score(std::string_view text) const {
  std::shared_lock lock(mu_);
  if (model_.examples(false) < settings_.min_examples || model_.examples(true) < settings_.min_examples)
    return std::nullopt;
  return model_.score(text);
}

std::array<int64_t, 2> Classifier::examples() const {
  std::shared_lock lock(mu_);
  return {model_.examples(false), model_.examples(true)};
}

}  // namespace tribune
