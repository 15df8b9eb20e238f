// Disqus and WordPress exports read as a stream of records (a <thread>, a <post>, an <item>), one at a time
// through expat: a file of a million comments never sits in memory, only the record being read.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::imports {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// An element inside a record: its path below the record ("author/name"), its text, its attributes.
struct XmlField {
  std::string path;
  std::string text;
  Attributes attributes;
};

struct XmlRecord {
  std::string name;
  Attributes attributes;
  std::vector<XmlField> fields;     // in document order; a path may repeat (WordPress categories)
  std::vector<XmlRecord> children;  // nested records (a WordPress item's comments)
  int64_t line = 0;                 // where the record starts

  const XmlField* field(std::string_view path) const;
  std::string text(std::string_view path) const;  // "" when absent
  std::string attribute(std::string_view key) const;
  std::string attribute(std::string_view path, std::string_view key) const;
};

struct RecordShape {
  std::string root;                // the root element the file must have ("disqus", "rss")
  std::string format;              // named in the error when it has another ("a Disqus export")
  int depth = 2;                   // the records' depth: 2 for children of the root element
  std::vector<std::string> names;  // element names that are records at that depth
  std::string child;               // an element name inside a record that is a record of its own ("wp:comment")
};

// Calls `each` per record, in document order. Element names are as written, prefixes included ("wp:status").
// Errors: Error(invalid, "invalid_import") naming the line and column of malformed XML, another root element
// than shape.root, or a text over 4 MiB.
// Whatever `each` throws stops the reading and is rethrown.
void read_records(std::istream& in, const RecordShape& shape, const std::function<void(XmlRecord&&)>& each);

}  // namespace tribune::imports
