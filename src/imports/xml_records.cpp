#include "imports/xml_records.h"

#include <expat.h>

#include <array>
#include <exception>
#include <istream>
#include <memory>

#include "model/error.h"

namespace tribune::imports {

namespace {

constexpr size_t kMaxText = size_t{4} << 20;

Error malformed(XML_Parser p, const std::string& what) {
  return Error(ErrorKind::invalid, "invalid_import",
               "line " + std::to_string(XML_GetCurrentLineNumber(p)) + ", column " +
                   std::to_string(XML_GetCurrentColumnNumber(p) + 1) + ": " + what);
}

struct Reader {
  const RecordShape& shape;
  const std::function<void(XmlRecord&&)>& each;
  XML_Parser parser = nullptr;
  int depth = 0;
  std::vector<std::string> path;  // element names below the current record (or child record)
  std::vector<XmlRecord> open;    // the record being read, and a child record inside it
  std::string text;
  bool keep_text = false;
  std::exception_ptr failure;

  XmlRecord* current() { return open.empty() ? nullptr : &open.back(); }

  void start(const char* name, const char** attrs) {
    ++depth;
    text.clear();
    if (depth == 1 && shape.root != name)
      throw malformed(parser, "this is not " + shape.format + " (its root element is <" + std::string(name) +
                                  ">, not <" + shape.root + ">)");
    Attributes a;
    for (int i = 0; attrs[i]; i += 2) a.emplace_back(attrs[i], attrs[i + 1]);
    if (open.empty()) {
      keep_text = false;
      bool is_record = depth == shape.depth;
      if (is_record) {
        is_record = false;
        for (const auto& n : shape.names) is_record |= n == name;
      }
      if (is_record) {
        open.push_back(XmlRecord{name, std::move(a), {}, {}, static_cast<int64_t>(XML_GetCurrentLineNumber(parser))});
        path.clear();
        keep_text = true;
      }
      return;
    }
    if (open.size() == 1 && !shape.child.empty() && shape.child == name && path.empty()) {
      open.push_back(XmlRecord{name, std::move(a), {}, {}, static_cast<int64_t>(XML_GetCurrentLineNumber(parser))});
      return;
    }
    path.emplace_back(name);
    std::string joined;
    for (const auto& part : path) joined += (joined.empty() ? "" : "/") + part;
    current()->fields.push_back(XmlField{std::move(joined), {}, std::move(a)});
  }

  void end(const char* name) {
    --depth;
    if (open.empty()) return;
    if (path.empty()) {  // the record (or child record) itself ends
      XmlRecord done = std::move(open.back());
      open.pop_back();
      if (open.empty()) {
        keep_text = false;
        each(std::move(done));
      } else {
        open.back().children.push_back(std::move(done));
      }
      text.clear();
      return;
    }
    // The innermost open field with this path gets the text read since it began.
    std::string joined;
    for (const auto& part : path) joined += (joined.empty() ? "" : "/") + part;
    auto& fields = current()->fields;
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
      if (it->path == joined) {
        if (it->text.empty()) it->text = std::move(text);
        break;
      }
    text.clear();
    (void)name;
    path.pop_back();
  }

  void chars(const char* s, int len) {
    if (open.empty()) return;
    if (text.size() + static_cast<size_t>(len) > kMaxText) throw malformed(parser, "a text longer than 4 MiB");
    text.append(s, static_cast<size_t>(len));
  }
};

template <class F>
void guarded(Reader* r, F&& f) {
  if (r->failure) return;
  try {
    f();
  } catch (...) {
    r->failure = std::current_exception();
    XML_StopParser(r->parser, XML_FALSE);
  }
}

}  // namespace

const XmlField* XmlRecord::field(std::string_view path) const {
  for (const auto& f : fields)
    if (f.path == path) return &f;
  return nullptr;
}

std::string XmlRecord::text(std::string_view path) const {
  const auto* f = field(path);
  return f ? f->text : std::string();
}

std::string XmlRecord::attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return v;
  return {};
}

std::string XmlRecord::attribute(std::string_view path, std::string_view key) const {
  const auto* f = field(path);
  if (!f) return {};
  for (const auto& [k, v] : f->attributes)
    if (k == key) return v;
  return {};
}

void read_records(std::istream& in, const RecordShape& shape, const std::function<void(XmlRecord&&)>& each) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"), &XML_ParserFree);
  if (!parser) throw Error(ErrorKind::internal, "out_of_memory", "cannot make an XML parser");
  Reader r{shape, each};
  r.parser = parser.get();
  XML_SetUserData(parser.get(), &r);
  XML_SetElementHandler(
      parser.get(),
      [](void* u, const XML_Char* name, const XML_Char** attrs) {
        auto* self = static_cast<Reader*>(u);
        guarded(self, [&] { self->start(name, attrs); });
      },
      [](void* u, const XML_Char* name) {
        auto* self = static_cast<Reader*>(u);
        guarded(self, [&] { self->end(name); });
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* u, const XML_Char* s, int len) {
    auto* self = static_cast<Reader*>(u);
    guarded(self, [&] { self->chars(s, len); });
  });
  std::array<char, 1 << 16> buffer{};
  bool done = false;
  while (!done) {
    in.read(buffer.data(), buffer.size());
    auto got = in.gcount();
    done = got < static_cast<std::streamsize>(buffer.size());
    if (in.bad()) throw Error(ErrorKind::unavailable, "read_failed", "the file could not be read");
    auto status = XML_Parse(parser.get(), buffer.data(), static_cast<int>(got), done ? XML_TRUE : XML_FALSE);
    if (r.failure) std::rethrow_exception(r.failure);
    if (status != XML_STATUS_OK) throw malformed(parser.get(), XML_ErrorString(XML_GetErrorCode(parser.get())));
  }
}

}  // namespace tribune::imports
