// The string form of label selectors: a lexer and a recursive-descent parser that accept exactly
// what k8s.io/apimachinery/pkg/labels Parse accepts, with its error messages.

#include <algorithm>
#include <utility>

#include "field_error_format.hpp"
#include "karpenter/api/label_selector.hpp"
#include "karpenter/api/validation.hpp"

namespace karpenter::api {
namespace {

enum class TokenKind {
  kError,
  kEndOfString,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Token {
  TokenKind kind = TokenKind::kError;
  std::string literal;
  std::size_t offset = 0;  // where the token starts in the input, for error messages
};

// Literal tokens; every other word is an identifier.
std::optional<TokenKind> literalToken(std::string_view text) {
  static constexpr std::pair<std::string_view, TokenKind> kLiterals[] = {
      {")", TokenKind::kClosedPar},    {",", TokenKind::kComma},
      {"!", TokenKind::kDoesNotExist}, {"==", TokenKind::kDoubleEquals},
      {"=", TokenKind::kEquals},       {">", TokenKind::kGreaterThan},
      {"in", TokenKind::kIn},          {"<", TokenKind::kLessThan},
      {"!=", TokenKind::kNotEquals},   {"notin", TokenKind::kNotIn},
      {"(", TokenKind::kOpenPar},
  };
  for (const auto& [literal, kind] : kLiterals) {
    if (literal == text) {
      return kind;
    }
  }
  return std::nullopt;
}

bool isWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isSpecialSymbol(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

// Upstream's lexer, byte for byte: a NUL byte reads as end of input, as it does there.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token lex() {
    char c = read();
    while (isWhitespace(c)) {
      c = read();
    }
    if (c == 0) {
      return Token{TokenKind::kEndOfString, "", pos_};
    }
    unread();
    return isSpecialSymbol(c) ? scanSpecialSymbol() : scanIdentifierOrKeyword();
  }

 private:
  char read() {
    if (pos_ < text_.size()) {
      return text_[pos_++];
    }
    return 0;
  }
  void unread() { --pos_; }

  Token scanIdentifierOrKeyword() {
    const std::size_t start = pos_;
    std::string word;
    while (true) {
      char c = read();
      if (c == 0) {
        break;
      }
      if (isSpecialSymbol(c) || isWhitespace(c)) {
        unread();
        break;
      }
      word += c;
    }
    TokenKind kind = literalToken(word).value_or(TokenKind::kIdentifier);
    return Token{kind, std::move(word), start};
  }

  // Longest run of special symbols that still spells a literal ("!=" rather than "!" "=").
  Token scanSpecialSymbol() {
    const std::size_t start = pos_;
    std::string buffer;
    std::optional<Token> last;
    while (true) {
      char c = read();
      if (c == 0) {
        break;
      }
      if (!isSpecialSymbol(c)) {
        unread();
        break;
      }
      buffer += c;
      if (std::optional<TokenKind> kind = literalToken(buffer)) {
        last = Token{*kind, buffer, start};
      } else if (last) {
        unread();
        break;
      }
    }
    if (!last) {
      return Token{TokenKind::kError, "error expected: keyword found '" + buffer + "'", start};
    }
    return *std::move(last);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::vector<Token> scanAll(std::string_view text) {
  Lexer lexer(text);
  std::vector<Token> tokens;
  while (true) {
    tokens.push_back(lexer.lex());
    if (tokens.back().kind == TokenKind::kEndOfString) {
      return tokens;
    }
  }
}

// Inside a value list "in" and "notin" are plain words: "a in (in,notin)".
enum class Context { kKeyAndOperator, kValues };

struct ParseFailure {
  std::string message;
  std::size_t offset = 0;
};

constexpr std::string_view kBinaryOperators = "in, notin, =, ==, !=, gt, lt";

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // The selector's requirements in input order, or the first failure.
  std::optional<ParseFailure> parse(std::vector<Requirement>& out) {
    while (true) {
      const Token& next = lookahead();
      switch (kindIn(next, Context::kValues)) {
        case TokenKind::kIdentifier:
        case TokenKind::kDoesNotExist: {
          if (std::optional<ParseFailure> failure = parseRequirement(out)) {
            failure->message = "unable to parse requirement: " + failure->message;
            return failure;
          }
          const Token& after = consume();
          switch (kindIn(after, Context::kValues)) {
            case TokenKind::kEndOfString:
              return std::nullopt;
            case TokenKind::kComma: {
              const Token& following = lookahead();
              TokenKind kind = kindIn(following, Context::kValues);
              if (kind != TokenKind::kIdentifier && kind != TokenKind::kDoesNotExist) {
                return fail(following,
                            "found '" + following.literal + "', expected: identifier after ','");
              }
              break;
            }
            default:
              return fail(after, "found '" + after.literal + "', expected: ',' or 'end of string'");
          }
          break;
        }
        case TokenKind::kEndOfString:
          return std::nullopt;
        default:
          return fail(next,
                      "found '" + next.literal + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

  std::optional<ParseFailure> parseOperator(SelectorOperator& op) {
    const Token& token = consume();
    switch (kindIn(token, Context::kKeyAndOperator)) {
      case TokenKind::kIn:
        op = SelectorOperator::kIn;
        return std::nullopt;
      case TokenKind::kEquals:
        op = SelectorOperator::kEquals;
        return std::nullopt;
      case TokenKind::kDoubleEquals:
        op = SelectorOperator::kDoubleEquals;
        return std::nullopt;
      case TokenKind::kGreaterThan:
        op = SelectorOperator::kGreaterThan;
        return std::nullopt;
      case TokenKind::kLessThan:
        op = SelectorOperator::kLessThan;
        return std::nullopt;
      case TokenKind::kNotIn:
        op = SelectorOperator::kNotIn;
        return std::nullopt;
      case TokenKind::kNotEquals:
        op = SelectorOperator::kNotEquals;
        return std::nullopt;
      default:
        // "!" lands here too: it is unary and only valid before the key.
        return fail(token,
                    "found '" + token.literal + "', expected: " + std::string(kBinaryOperators));
    }
  }

 private:
  static TokenKind kindIn(const Token& token, Context context) {
    if (context == Context::kValues &&
        (token.kind == TokenKind::kIn || token.kind == TokenKind::kNotIn)) {
      return TokenKind::kIdentifier;
    }
    return token.kind;
  }

  // The scan always ends with an end-of-string token and the grammar never reads past it.
  const Token& lookahead() const { return tokens_[position_]; }
  const Token& consume() { return tokens_[position_++]; }

  static ParseFailure fail(const Token& at, std::string message) {
    return ParseFailure{std::move(message), at.offset};
  }

  std::optional<ParseFailure> parseRequirement(std::vector<Requirement>& out) {
    const Token& start = lookahead();
    std::string key;
    SelectorOperator op = SelectorOperator::kNone;
    if (std::optional<ParseFailure> failure = parseKeyAndInferOperator(key, op)) {
      return failure;
    }
    std::vector<std::string> values;
    if (op != SelectorOperator::kExists && op != SelectorOperator::kDoesNotExist) {
      if (std::optional<ParseFailure> failure = parseOperator(op)) {
        return failure;
      }
      std::optional<ParseFailure> failure =
          (op == SelectorOperator::kIn || op == SelectorOperator::kNotIn) ? parseValues(values)
                                                                          : parseExactValue(values);
      if (failure) {
        return failure;
      }
      // Upstream collects values in a set and hands NewRequirement the sorted list.
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
    }
    Result<Requirement> requirement = makeRequirement(key, op, std::move(values));
    if (!requirement.ok()) {
      return fail(start, requirement.error().message);
    }
    out.push_back(std::move(requirement).value());
    return std::nullopt;
  }

  // [!] key, inferring Exists (or keeping DoesNotExist) when the key ends the clause.
  std::optional<ParseFailure> parseKeyAndInferOperator(std::string& key, SelectorOperator& op) {
    const Token* token = &consume();
    if (kindIn(*token, Context::kValues) == TokenKind::kDoesNotExist) {
      op = SelectorOperator::kDoesNotExist;
      token = &consume();
    }
    if (kindIn(*token, Context::kValues) != TokenKind::kIdentifier) {
      return fail(*token, "found '" + token->literal + "', expected: identifier");
    }
    if (std::vector<std::string> errors = isQualifiedName(token->literal); !errors.empty()) {
      return fail(*token, detail::invalidValue("", detail::goQuote(token->literal),
                                               detail::joinMessages(errors, "; ")));
    }
    key = token->literal;
    TokenKind next = kindIn(lookahead(), Context::kValues);
    if ((next == TokenKind::kEndOfString || next == TokenKind::kComma) &&
        op != SelectorOperator::kDoesNotExist) {
      op = SelectorOperator::kExists;
    }
    return std::nullopt;
  }

  // "(" values ")"; "()" is the set holding the empty value.
  std::optional<ParseFailure> parseValues(std::vector<std::string>& values) {
    const Token& open = consume();
    if (kindIn(open, Context::kValues) != TokenKind::kOpenPar) {
      return fail(open, "found '" + open.literal + "' expected: '('");
    }
    const Token& first = lookahead();
    switch (kindIn(first, Context::kValues)) {
      case TokenKind::kIdentifier:
      case TokenKind::kComma: {
        if (std::optional<ParseFailure> failure = parseIdentifiersList(values)) {
          return failure;
        }
        const Token& close = consume();
        if (kindIn(close, Context::kValues) != TokenKind::kClosedPar) {
          return fail(close, "found '" + close.literal + "', expected: ')'");
        }
        return std::nullopt;
      }
      case TokenKind::kClosedPar:
        consume();
        values.emplace_back();
        return std::nullopt;
      default:
        return fail(first, "found '" + first.literal + "', expected: ',', ')' or identifier");
    }
  }

  // Comma-separated, possibly empty values up to (not including) ")": "a,,b" and ",a" hold "".
  std::optional<ParseFailure> parseIdentifiersList(std::vector<std::string>& values) {
    while (true) {
      const Token& token = consume();
      switch (kindIn(token, Context::kValues)) {
        case TokenKind::kIdentifier: {
          values.push_back(token.literal);
          const Token& next = lookahead();
          switch (kindIn(next, Context::kValues)) {
            case TokenKind::kComma:
              continue;
            case TokenKind::kClosedPar:
              return std::nullopt;
            default:
              return fail(next, "found '" + next.literal + "', expected: ',' or ')'");
          }
        }
        case TokenKind::kComma: {
          if (values.empty()) {
            values.emplace_back();
          }
          TokenKind next = kindIn(lookahead(), Context::kValues);
          if (next == TokenKind::kClosedPar) {
            values.emplace_back();
            return std::nullopt;
          }
          // ",," holds an empty value; the second comma is left for the next round so that
          // any run of commas before ")" is accepted (apimachinery since release 1.35).
          if (next == TokenKind::kComma) {
            values.emplace_back();
          }
          break;
        }
        default:
          return fail(token, "found '" + token.literal + "', expected: ',', or identifier");
      }
    }
  }

  // The single value after =, ==, !=, > or <; absent (end or ",") means the empty value.
  std::optional<ParseFailure> parseExactValue(std::vector<std::string>& values) {
    TokenKind next = kindIn(lookahead(), Context::kValues);
    if (next == TokenKind::kEndOfString || next == TokenKind::kComma) {
      values.emplace_back();
      return std::nullopt;
    }
    const Token& token = consume();
    if (kindIn(token, Context::kValues) == TokenKind::kIdentifier) {
      values.push_back(token.literal);
      return std::nullopt;
    }
    return fail(token, "found '" + token.literal + "', expected: identifier");
  }

  std::vector<Token> tokens_;
  std::size_t position_ = 0;
};

}  // namespace

Result<Selector> parseSelector(std::string_view text) {
  std::vector<Requirement> requirements;
  Parser parser(scanAll(text));
  if (std::optional<ParseFailure> failure = parser.parse(requirements)) {
    return invalidError(failure->message + " (at offset " + std::to_string(failure->offset) +
                        " in " + detail::goQuote(text) + ")");
  }
  // Sorted by key so equal selectors parse to equal values and print the same.
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key() < b.key(); });
  return Selector::fromRequirements(std::move(requirements));
}

Result<SelectorOperator> parseSelectorOperator(std::string_view token) {
  Parser parser(scanAll(token));
  SelectorOperator op = SelectorOperator::kNone;
  if (std::optional<ParseFailure> failure = parser.parseOperator(op)) {
    return invalidError(std::move(failure->message));
  }
  return op;
}

}  // namespace karpenter::api
