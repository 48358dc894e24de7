// The parsing half of the supervisord collector (supervisord.h): the XML-RPC subset a
// methodResponse uses (http://xmlrpc.com/spec.md): params/param/value, struct/member,
// array/data, the scalar types, fault. Not a general XML parser: no DTDs, no namespaces;
// attributes are skipped; text is decoded for the five predefined entities, character
// references and CDATA sections.
#include <optional>

#include "collectors/core/parse_util.h"
#include "collectors/host/supervisord.h"

namespace hostwatch {
namespace {

// Nesting deeper than this is refused: getAllProcessInfo's answer is 3 levels deep.
constexpr int kMaxDepth = 16;

struct XmlRpcMember;

struct XmlRpcValue {
  enum Kind { kString, kInt, kOther, kStruct, kArray } kind = kString;
  std::string text;  // kString; the raw text of kOther (double, boolean, ...)
  std::int64_t number = 0;
  std::vector<XmlRpcMember> members;  // a named struct, not std::pair: pair needs a complete type (clang)
  std::vector<XmlRpcValue> items;
};

struct XmlRpcMember {
  std::string name;
  XmlRpcValue value;
};

struct Tag {
  std::string_view name;
  bool closing = false;       // </name>
  bool self_closing = false;  // <name/>
};

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Decodes one entity body ("lt", "#65", "#x41") onto *out; false if unknown.
bool DecodeEntity(std::string_view e, std::string* out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [name, c] : kNamed) {
    if (e == name) {
      *out += c;
      return true;
    }
  }
  if (e.size() < 2 || e[0] != '#') {
    return false;
  }
  std::optional<std::uint64_t> cp =
      e[1] == 'x' ? ParseGoUint("0" + std::string(e.substr(1))) : ParseUint(e.substr(1));
  if (!cp || *cp == 0 || *cp > 0x10ffff) {
    return false;
  }
  AppendUtf8(static_cast<std::uint32_t>(*cp), out);
  return true;
}

class XmlCursor {
 public:
  explicit XmlCursor(std::string_view s) : s_(s) {}

  // The text up to the next tag, decoded; nullopt on a bad entity or an unclosed CDATA.
  std::optional<std::string> Text() {
    std::string out;
    while (pos_ < s_.size()) {
      if (s_.substr(pos_).starts_with("<![CDATA[")) {
        const std::size_t end = s_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) {
          return std::nullopt;
        }
        out += s_.substr(pos_ + 9, end - pos_ - 9);
        pos_ = end + 3;
      } else if (s_[pos_] == '<') {
        break;
      } else if (s_[pos_] == '&') {
        const std::size_t semi = s_.find(';', pos_);
        if (semi == std::string_view::npos || !DecodeEntity(s_.substr(pos_ + 1, semi - pos_ - 1), &out)) {
          return std::nullopt;
        }
        pos_ = semi + 1;
      } else {
        out += s_[pos_++];
      }
    }
    return out;
  }

  // The next element tag, skipping text, the XML declaration, comments and DOCTYPE.
  std::optional<Tag> NextTag() {
    for (;;) {
      const std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) {
        return std::nullopt;
      }
      pos_ = lt;
      std::string_view rest = s_.substr(pos_);
      if (rest.starts_with("<?") || rest.starts_with("<!--") || rest.starts_with("<!")) {
        const std::string_view end = rest.starts_with("<?") ? "?>" : rest.starts_with("<!--") ? "-->" : ">";
        const std::size_t close = s_.find(end, pos_ + 2);
        if (close == std::string_view::npos) {
          return std::nullopt;
        }
        pos_ = close + end.size();
        continue;
      }
      const std::size_t gt = s_.find('>', pos_);
      if (gt == std::string_view::npos) {
        return std::nullopt;
      }
      std::string_view inside = s_.substr(pos_ + 1, gt - pos_ - 1);
      pos_ = gt + 1;
      Tag tag;
      if (inside.starts_with("/")) {
        tag.closing = true;
        inside.remove_prefix(1);
      } else if (inside.ends_with("/")) {
        tag.self_closing = true;
        inside.remove_suffix(1);
      }
      tag.name = inside.substr(0, inside.find_first_of(" \t\r\n"));
      return tag;
    }
  }

  // Consumes the next tag if it is <name> (or <name/> when allowed).
  bool Open(std::string_view name) {
    std::optional<Tag> t = NextTag();
    return t && !t->closing && !t->self_closing && t->name == name;
  }
  bool Close(std::string_view name) {
    std::optional<Tag> t = NextTag();
    return t && t->closing && t->name == name;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::optional<XmlRpcValue> ParseValue(XmlCursor& c, int depth);

// <struct>'s members, after <struct>, through </struct>.
std::optional<XmlRpcValue> ParseStruct(XmlCursor& c, int depth) {
  XmlRpcValue v;
  v.kind = XmlRpcValue::kStruct;
  for (;;) {
    std::optional<Tag> t = c.NextTag();
    if (t && t->closing && t->name == "struct") {
      return v;
    }
    if (!t || t->closing || t->self_closing || t->name != "member" || !c.Open("name")) {
      return std::nullopt;
    }
    std::optional<std::string> name = c.Text();
    if (!name || !c.Close("name") || !c.Open("value")) {
      return std::nullopt;
    }
    std::optional<XmlRpcValue> value = ParseValue(c, depth + 1);
    if (!value || !c.Close("member")) {
      return std::nullopt;
    }
    v.members.push_back({std::move(*name), std::move(*value)});
  }
}

// <array>'s items, after <array>, through </array>.
std::optional<XmlRpcValue> ParseArray(XmlCursor& c, int depth) {
  XmlRpcValue v;
  v.kind = XmlRpcValue::kArray;
  std::optional<Tag> data = c.NextTag();
  if (data && data->self_closing && data->name == "data") {
    return c.Close("array") ? std::optional(v) : std::nullopt;
  }
  if (!data || data->closing || data->name != "data") {
    return std::nullopt;
  }
  for (;;) {
    std::optional<Tag> t = c.NextTag();
    if (t && t->closing && t->name == "data") {
      return c.Close("array") ? std::optional(v) : std::nullopt;
    }
    if (!t || t->closing || t->name != "value") {
      return std::nullopt;
    }
    std::optional<XmlRpcValue> item = t->self_closing ? XmlRpcValue{} : ParseValue(c, depth + 1);
    if (!item) {
      return std::nullopt;
    }
    v.items.push_back(std::move(*item));
  }
}

// A scalar <type>text</type> (or <type/>), after the opening tag.
std::optional<XmlRpcValue> ParseScalar(XmlCursor& c, const Tag& type) {
  XmlRpcValue v;
  std::optional<std::string> text = type.self_closing ? std::string() : c.Text();
  if (!text || (!type.self_closing && !c.Close(type.name))) {
    return std::nullopt;
  }
  static constexpr std::string_view kInts[] = {"int", "i1", "i2", "i4", "i8"};
  for (std::string_view name : kInts) {
    if (type.name == name) {
      std::optional<std::int64_t> n = ParseInt(TrimSpace(*text));
      if (!n) {
        return std::nullopt;
      }
      v.kind = XmlRpcValue::kInt;
      v.number = *n;
      return v;
    }
  }
  v.kind = type.name == "string" ? XmlRpcValue::kString : XmlRpcValue::kOther;
  v.text = std::move(*text);
  return v;
}

// A value's content, after <value>, through </value>. Text without a type is a string.
std::optional<XmlRpcValue> ParseValue(XmlCursor& c, int depth) {
  if (depth > kMaxDepth) {
    return std::nullopt;
  }
  std::optional<std::string> text = c.Text();
  std::optional<Tag> t = c.NextTag();
  if (!text || !t) {
    return std::nullopt;
  }
  if (t->closing) {
    if (t->name != "value") {
      return std::nullopt;
    }
    XmlRpcValue untyped;  // kString
    untyped.text = std::move(*text);
    return untyped;
  }
  std::optional<XmlRpcValue> v;
  if (t->name == "struct" && !t->self_closing) {
    v = ParseStruct(c, depth);
  } else if (t->name == "array" && !t->self_closing) {
    v = ParseArray(c, depth);
  } else {
    v = ParseScalar(c, *t);
  }
  return v && c.Close("value") ? v : std::nullopt;
}

// The process described by one struct; members of the wrong type are counted and skipped.
SupervisordProcess ToProcess(const XmlRpcValue& s, std::uint64_t* parse_errors) {
  SupervisordProcess p;
  for (const auto& [name, value] : s.members) {
    std::string* text = name == "name" ? &p.name : name == "group" ? &p.group : nullptr;
    std::int64_t* number = name == "start"        ? &p.start
                           : name == "state"      ? &p.state
                           : name == "exitstatus" ? &p.exit_status
                           : name == "pid"        ? &p.pid
                                                  : nullptr;
    if (text != nullptr && value.kind == XmlRpcValue::kString) {
      *text = value.text;
    } else if (number != nullptr && value.kind == XmlRpcValue::kInt) {
      *number = value.number;
    } else if (text != nullptr || number != nullptr) {
      ++*parse_errors;
    }
  }
  return p;
}

std::string FaultText(const XmlRpcValue& fault) {
  std::string code;
  std::string text;
  for (const auto& [name, value] : fault.members) {
    if (name == "faultCode") {
      code = value.kind == XmlRpcValue::kInt ? std::to_string(value.number) : value.text;
    } else if (name == "faultString") {
      text = value.text;
    }
  }
  return "fault " + code + ": " + text;
}

}  // namespace

std::string SupervisordRequestBody() {
  return "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName>"
         "<params></params></methodCall>";
}

Result<std::vector<SupervisordProcess>> ParseSupervisordResponse(std::string_view xml, std::uint64_t* parse_errors) {
  XmlCursor c(xml);
  if (!c.Open("methodResponse")) {
    return Status::Error("invalid response: missing methodResponse");
  }
  std::optional<Tag> t = c.NextTag();
  if (t && !t->closing && t->name == "fault") {
    std::optional<XmlRpcValue> fault = c.Open("value") ? ParseValue(c, 1) : std::nullopt;
    return Status::Error(fault ? FaultText(*fault) : "invalid response: malformed fault");
  }
  if (!t || t->closing || t->name != "params" || !c.Open("param") || !c.Open("value")) {
    return Status::Error("invalid response: missing params");
  }
  std::optional<XmlRpcValue> v = ParseValue(c, 1);
  if (!v) {
    return Status::Error("invalid response: malformed XML-RPC value");
  }
  if (v->kind != XmlRpcValue::kArray) {
    return Status::Error("invalid response: getAllProcessInfo did not return an array");
  }
  std::vector<SupervisordProcess> processes;
  for (const XmlRpcValue& item : v->items) {
    if (item.kind != XmlRpcValue::kStruct) {
      ++*parse_errors;
      continue;
    }
    processes.push_back(ToProcess(item, parse_errors));
  }
  return processes;
}

bool SupervisordProcessRunning(std::int64_t state) {
  constexpr std::int64_t kStarting = 10, kRunning = 20, kStopping = 40;
  return state == kStarting || state == kRunning || state == kStopping;
}

}  // namespace hostwatch
