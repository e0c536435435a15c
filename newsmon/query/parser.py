"""Query text -> syntax tree (newsmon.query.nodes), with errors that point at the character.

Grammar (precedence from loosest to tightest; docs/query-language.md has the user's version):

    query    := or_expr
    or_expr  := and_expr (OR and_expr)*                      OR | ИЛИ | НЕМЕСЕ | "|"
    and_expr := unary ([AND] unary)*                          AND | И | ЖӘНЕ, or nothing
    unary    := (NOT | "-") unary | near                      NOT | НЕ | ЕМЕС, "-word"
    near     := primary [NEAR/n primary]                      NEAR/n | РЯДОМ/n
    primary  := field ":" primary | "(" or_expr ")" | "{" alternative+ "}"
              | ["="] word["*"] | ["="] "phrase" | "@"alias
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from newsmon.query.nodes import FIELDS, META_FIELDS, AliasRef, And, Filter, Near, Node, Not, Or, Phrase, Word

OR_WORDS = frozenset({"OR", "ИЛИ", "НЕМЕСЕ"})
AND_WORDS = frozenset({"AND", "И", "ЖӘНЕ"})
NOT_WORDS = frozenset({"NOT", "НЕ", "ЕМЕС"})
NEAR_WORDS = ("NEAR", "РЯДОМ")
DEFAULT_NEAR = 5
MAX_NEAR = 100

# Opening quote -> the characters that close it. «ёлочки», “curly”, „low-high“ and "straight".
QUOTES = {'"': '"', "«": "»", "“": "”“", "„": "“”"}
QUOTE_CHARS = frozenset('"«»“”„')
DELIMITERS = frozenset("(){}|") | QUOTE_CHARS
_NEAR = re.compile(r"(NEAR|РЯДОМ)(?:/(.*))?", re.DOTALL)
_FIELD = re.compile(r"([A-Za-z]+):")
_ALIAS = re.compile(r"@([\w.\-]+)")
_PHRASE_SPLIT = re.compile(r"[\s\"«»“”„]+")


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed or compiled; `.position` is the character offset in `.query`."""

    def __init__(self, message: str, query: str, position: int, hint: str = "") -> None:
        self.message = message
        self.query = query
        self.position = max(0, min(position, len(query)))
        self.hint = hint
        line = " ".join(query.splitlines()) if query else ""
        text = f'{message} at {self.position}: "{line}"\n  {line}\n  {" " * self.position}^'
        super().__init__(f"{text}\n{hint}" if hint else text)


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: str  # ( ) { } OR AND NOT NEAR - = FIELD ALIAS PHRASE WORD EOF
    value: object
    pos: int
    prefix: bool = False


def _describe(lexeme: Lexeme) -> str:
    if lexeme.kind == "EOF":
        return "the end of the query"
    if lexeme.kind in ("WORD", "PHRASE", "ALIAS", "FIELD"):
        return f"{lexeme.kind.lower()} {lexeme.value!r}"
    return f'"{lexeme.kind}"' if len(lexeme.kind) == 1 else lexeme.kind


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.i = 0
        self.out: list[Lexeme] = []

    def error(self, message: str, position: int, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, position, hint)

    def run(self) -> list[Lexeme]:
        q, n = self.query, len(self.query)
        while True:
            while self.i < n and q[self.i].isspace():
                self.i += 1
            if self.i >= n:
                self.out.append(Lexeme("EOF", None, n))
                return self.out
            self.step(q[self.i])

    def step(self, char: str) -> None:
        q, i = self.query, self.i
        following = q[i + 1] if i + 1 < len(q) else ""
        if char in "(){}":
            self.emit(char, char, 1)
        elif char == "|":
            self.emit("OR", "|", 1)
        elif char in QUOTES:
            self.phrase(char)
        elif char in QUOTE_CHARS:
            raise self.error(f"unexpected {char}: no phrase is open", i)
        elif char in "-=" and following and not following.isspace() and following not in ")}|":
            self.emit(char, char, 1)
        elif char == "@":
            self.alias()
        else:
            self.bare()

    def emit(self, kind: str, value: object, length: int, prefix: bool = False) -> None:
        self.out.append(Lexeme(kind, value, self.i, prefix))
        self.i += length

    def phrase(self, opener: str) -> None:
        start = self.i
        closers = QUOTES[opener]
        end = next((j for j in range(start + 1, len(self.query)) if self.query[j] in closers), -1)
        if end < 0:
            hint = f"the phrase opened at {start} is never closed"
            raise self.error(f"expected {closers[0]}", len(self.query), hint)
        words = tuple(w for w in _PHRASE_SPLIT.split(self.query[start + 1 : end]) if w)
        if not words:
            raise self.error("empty phrase", start)
        self.emit("PHRASE", words, end + 1 - start)

    def alias(self) -> None:
        match = _ALIAS.match(self.query, self.i)
        end = match.end() if match else self.i + 1
        if not match or (end < len(self.query) and not self._ends_token(end)):
            raise self.error("expected an alias name (letters, digits, _ . -) after @", self.i + 1)
        self.emit("ALIAS", match.group(1), end - self.i)

    def _ends_token(self, j: int) -> bool:
        return self.query[j].isspace() or self.query[j] in DELIMITERS

    def bare(self) -> None:
        q, start = self.query, self.i
        end = start
        while end < len(q) and not self._ends_token(end):
            end += 1
        text = q[start:end]
        field = _FIELD.match(text)
        near = _NEAR.fullmatch(text)
        if text in OR_WORDS:
            self.emit("OR", text, end - start)
        elif text in AND_WORDS:
            self.emit("AND", text, end - start)
        elif text in NOT_WORDS:
            self.emit("NOT", text, end - start)
        elif near:
            self.emit("NEAR", self._distance(near, start), end - start)
        elif field:
            name = field.group(1).lower()
            if name not in FIELDS:
                fields = ", ".join(FIELDS)
                raise self.error(f'unknown field "{field.group(1)}"; fields are {fields}', start)
            self.emit("FIELD", name, field.end())
        elif len(text) > 1 and text.endswith("*"):
            self.emit("WORD", text[:-1], end - start, prefix=True)
        else:
            self.emit("WORD", text, end - start)

    def _distance(self, near: re.Match[str], start: int) -> int:
        digits = near.group(2)
        if digits is None:
            return DEFAULT_NEAR
        if not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_NEAR:
            raise self.error(f"expected a number of words from 0 to {MAX_NEAR} after {near.group(1)}/", start)
        return int(digits)


def lex(query: str) -> list[Lexeme]:
    """The query's lexemes, ending with EOF."""
    return _Lexer(query).run()


def reads_as_bare_word(text: str) -> bool:
    """Whether `text` typed unquoted reads back as exactly this one plain word."""
    try:
        lexemes = lex(text)
    except QuerySyntaxError:
        return False
    return (
        len(lexemes) == 2 and lexemes[0].kind == "WORD" and lexemes[0].value == text and not lexemes[0].prefix
    )


_STARTS_OPERAND = frozenset({"WORD", "PHRASE", "ALIAS", "FIELD", "(", "{", "NOT", "-", "="})


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.lexemes = lex(query)
        self.k = 0

    @property
    def peek(self) -> Lexeme:
        return self.lexemes[self.k]

    def advance(self) -> Lexeme:
        lexeme = self.lexemes[self.k]
        self.k += 1
        return lexeme

    def error(self, message: str, lexeme: Lexeme | None = None, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, (lexeme or self.peek).pos, hint)

    def parse(self) -> Node:
        if self.peek.kind == "EOF":
            raise self.error("empty query: expected a word or phrase")
        node = self.or_expr()
        if self.peek.kind == ")":
            raise self.error('unexpected ")": no "(" is open')
        if self.peek.kind != "EOF":
            raise self.error(f"unexpected {_describe(self.peek)}")
        return node

    def or_expr(self) -> Node:
        first = self.peek
        items = [self.and_expr()]
        while self.peek.kind == "OR":
            self.advance()
            items.append(self.and_expr())
        return _flatten(Or, items, first.pos)

    def and_expr(self) -> Node:
        first = self.peek
        items = [self.unary()]
        while self.peek.kind == "AND" or self.peek.kind in _STARTS_OPERAND:
            if self.peek.kind == "AND":
                self.advance()
            items.append(self.unary())
        return _flatten(And, items, first.pos)

    def unary(self) -> Node:
        if self.peek.kind in ("NOT", "-"):
            start = self.advance()
            return Not(self.unary(), pos=start.pos)
        return self.near()

    def near(self) -> Node:
        left = self.primary()
        if self.peek.kind != "NEAR":
            return left
        operator = self.advance()
        right = self.primary()
        for side in (left, right):
            if not _near_operand(side):
                raise self.error("NEAR joins words, phrases, @aliases or {alternatives}", operator)
        if self.peek.kind == "NEAR":
            raise self.error("NEAR joins two operands; combine several NEAR conditions with AND")
        return Near(left, right, int(operator.value), pos=operator.pos)  # type: ignore[call-overload]

    def expected_operand(self) -> QuerySyntaxError:
        previous = self.lexemes[self.k - 1] if self.k else None
        after = f" after {_describe(previous)}" if previous else ""
        return self.error(f'expected a word, phrase or "("{after}, found {_describe(self.peek)}')

    def primary(self) -> Node:
        lexeme = self.peek
        kind = lexeme.kind
        if kind == "(":
            return self.group()
        if kind == "{":
            return self.alternatives()
        if kind == "FIELD":
            self.advance()
            return apply_field(self.primary(), str(lexeme.value), self.query)
        if kind == "=":
            self.advance()
            if self.peek.kind not in ("WORD", "PHRASE"):
                raise self.error(f"expected a word or phrase after =, found {_describe(self.peek)}")
            if self.peek.prefix:
                raise self.error("=word* is not allowed: = asks for the exact form, * for any ending")
            return self.term(exact=True)
        if kind in ("WORD", "PHRASE"):
            return self.term(exact=False)
        if kind == "ALIAS":
            self.advance()
            return AliasRef(str(lexeme.value), pos=lexeme.pos)
        raise self.expected_operand()

    def term(self, exact: bool) -> Node:
        lexeme = self.advance()
        if lexeme.kind == "PHRASE":
            words: tuple[str, ...] = lexeme.value  # type: ignore[assignment]
            if len(words) == 1:
                return Word(words[0], exact=exact, pos=lexeme.pos)
            return Phrase(words, exact=exact, pos=lexeme.pos)
        return Word(str(lexeme.value), exact=exact, prefix=lexeme.prefix, pos=lexeme.pos)

    def group(self) -> Node:
        opening = self.advance()
        if self.peek.kind == ")":
            raise self.error("empty parentheses: expected a word or phrase")
        node = self.or_expr()
        if self.peek.kind != ")":
            hint = f'the "(" at {opening.pos} is not closed; found {_describe(self.peek)} instead'
            raise self.error('expected ")"', hint=hint)
        self.advance()
        return node

    def alternatives(self) -> Node:
        opening = self.advance()
        items: list[Node] = []
        while self.peek.kind != "}":
            if self.peek.kind == "OR" and items:
                self.advance()
            if self.peek.kind not in ("WORD", "PHRASE", "ALIAS", "="):
                if self.peek.kind == "EOF":
                    raise self.error('expected "}"', hint=f'the "{{" at {opening.pos} is not closed')
                raise self.error(
                    f"expected a spelling (word, phrase or @alias) in {{…}}, found {_describe(self.peek)}"
                )
            items.append(self.primary())
        self.advance()
        if not items:
            raise self.error("empty {}: expected spellings such as {Жамбыл | Jambyl}", opening)
        return _flatten(Or, items, opening.pos)


def _flatten(kind: type[And] | type[Or], items: list[Node], pos: int) -> Node:
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat), pos=pos)


def _near_operand(node: Node) -> bool:
    if isinstance(node, Word | Phrase | AliasRef):
        return True
    return isinstance(node, Or) and all(isinstance(item, Word | Phrase | AliasRef) for item in node.items)


def apply_field(node: Node, name: str, query: str) -> Node:
    """Push a field down to the leaves that have none; source:/lang: turn words into filters."""
    if isinstance(node, Word | Phrase) and node.field is None:
        if name not in META_FIELDS:
            return replace(node, field=name)
        if isinstance(node, Word):
            return Filter(name, node.text, prefix=node.prefix, pos=node.pos)
        return Filter(name, " ".join(node.words), pos=node.pos)
    if isinstance(node, AliasRef) and node.field is None:
        if name in META_FIELDS:
            raise QuerySyntaxError(
                f"{name}: takes a value such as a site or language code, not an alias", query, node.pos
            )
        return replace(node, field=name)
    if isinstance(node, Near) and name in META_FIELDS:
        raise QuerySyntaxError(f"{name}: cannot hold NEAR", query, node.pos)
    if isinstance(node, And | Or):
        return replace(node, items=tuple(apply_field(item, name, query) for item in node.items))
    if isinstance(node, Not):
        return replace(node, item=apply_field(node.item, name, query))
    if isinstance(node, Near):
        return replace(
            node, left=apply_field(node.left, name, query), right=apply_field(node.right, name, query)
        )
    return node


def parse_query(query: str) -> Node:
    """Parse query text into a syntax tree; raises QuerySyntaxError pointing at the problem."""
    if not isinstance(query, str):
        raise TypeError(f"query must be str, got {type(query).__name__}")
    return _Parser(query).parse()


_DEFINITION = re.compile(r"\s*@([\w.\-]+)\s*=(.*)", re.DOTALL)


def parse_alias_definitions(text: str) -> dict[str, str]:
    """Read alias definitions, one per line: `@zhambyl = Жамбыл | Jambyl | Zhambyl` (# starts a comment)."""
    aliases: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DEFINITION.fullmatch(line)
        if not match:
            raise QuerySyntaxError(f"line {number}: expected @name = spellings", line, 0)
        name, raw = match.group(1), match.group(2)
        body = raw.strip()
        try:
            parse_query(body)
        except QuerySyntaxError as exc:
            offset = match.start(2) + len(raw) - len(raw.lstrip()) + exc.position
            raise QuerySyntaxError(f"line {number} (@{name}): {exc.message}", line, offset) from None
        aliases[name] = body
    return aliases
