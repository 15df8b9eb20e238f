// What the web layer needs to know about the publication: name, address, locale, the appeal's copy.
#pragma once

#include <string>
#include <vector>

#include "domain/dateline.h"

namespace tribune {

struct AppealSettings {
  std::string heading = "Support truly independent journalism";
  std::string copy =
      "Our opinion pages are open to everyone and free of a paywall, because an argument only matters if "
      "people can read it. That is possible because readers pay for it. Whether 5 or 50, every contribution "
      "counts.";
  std::string signature = "Helena Marsh, Editor";
  std::string currency = "GBP";
  std::vector<long> amounts = {5, 50};  // major units
  long default_amount = 0;              // the amount chosen at first (0: the first of amounts)
  bool enabled = false;                 // payments are set up ([stripe] secret_key): show the form
};

struct SiteSettings {
  std::string name = "The Tribune";
  std::string tagline = "Opinion, argument and the conversation that follows.";
  std::string description = "Opinion and analysis from The Tribune.";
  std::string base_url = "http://127.0.0.1:8080";  // absolute URLs in feeds, canonical links, JSON-LD
  Locality locality;
  // Syndicated pieces: noindex (true) or a canonical link to the source (false, the default).
  bool syndicated_noindex = false;
  bool feed_full_text = false;        // feeds carry each article's whole text, not only its standfirst
  int sitemap_urls_per_file = 50000;  // past this, /sitemap.xml is an index of files (50,000: the protocol's limit)
  AppealSettings appeal;
  std::string assets_dir;  // when set, /assets/ is read from this folder (for designers); else embedded
  // og:image of every page (an absolute URL, or a path on this site) until articles have images; empty: none.
  std::string image;
};

}  // namespace tribune
