"""The only reader of `prompts/`: templates validated when they load, passages fenced as data."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Final

from .errors import AssistantError
from .types import Passage

LANGS: Final = ("fr", "en")
DEFAULT_LANG: Final = "fr"
# What the model must reply, alone, when the passages do not answer the question.
CANNOT_ANSWER: Final = {"fr": "NON_TROUVÉ", "en": "NOT_FOUND"}

# `<passage`, `</passage`, `< / passage`... in any case: a document must not open or close a fence.
_FENCE_TAG = re.compile(r"<(?=\s*/?\s*passage)", re.IGNORECASE)


def prompts_dir() -> Path:
    """The bundled `prompts/` folder, next to the package."""
    return Path(__file__).resolve().parent.parent / "prompts"


def normalise_lang(lang: str) -> str:
    """`fr`, `en`, `en-GB`, `FR_fr`... -> a supported language; anything else -> French."""
    base = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return base if base in LANGS else DEFAULT_LANG


@dataclass(frozen=True)
class Prompt:
    """A loaded template whose placeholders are exactly `variables`."""

    name: str
    lang: str
    path: Path
    text: str
    variables: frozenset[str]

    def render(self, **values: str) -> str:
        """Fill every placeholder; values are inserted verbatim, never re-interpreted."""
        given = set(values)
        if given != self.variables:
            missing = ", ".join(sorted(self.variables - given)) or "-"
            extra = ", ".join(sorted(given - self.variables)) or "-"
            raise TypeError(f"prompt {self.path.name}: missing {missing}; unexpected {extra}")
        return Template(self.text).substitute(values)


def load_prompt(
    name: str, lang: str, *, required: Iterable[str], directory: Path | None = None
) -> Prompt:
    """Read `prompts/<name>.<lang>.md` and check its placeholders are exactly `required`."""
    lang = normalise_lang(lang)
    path = (directory if directory is not None else prompts_dir()) / f"{name}.{lang}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssistantError(f"prompt file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read prompt file {path}: {type(exc).__name__}") from None
    found = _placeholders(path, text)
    wanted = frozenset(required)
    unknown = found - wanted
    if unknown:
        raise AssistantError(
            f"prompt file {path} uses unknown variable(s) {_names(unknown)}; "
            f"allowed: {_names(wanted) or 'none'} (write $$ for a literal $)"
        )
    missing = wanted - found
    if missing:
        raise AssistantError(f"prompt file {path} lacks required variable(s) {_names(missing)}")
    return Prompt(name=name, lang=lang, path=path, text=text, variables=wanted)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"${{{n}}}" for n in sorted(names))


def _placeholders(path: Path, text: str) -> frozenset[str]:
    template = Template(text)
    for match in template.pattern.finditer(text):
        if match.group("invalid") is not None:
            start = match.start("invalid")
            line = text.count("\n", 0, start) + 1
            snippet = text[start : start + 12].split("\n", 1)[0]
            raise AssistantError(
                f"prompt file {path}, line {line}: invalid placeholder {snippet!r} "
                "(use ${name}, or $$ for a literal $)"
            )
    return frozenset(template.get_identifiers())


def neutralise(text: str) -> str:
    """Defuse `<passage` / `</passage` tags in untrusted text (`<` becomes `‹`)."""
    return _FENCE_TAG.sub("‹", text)


def _attr(value: object) -> str:
    return html.escape(" ".join(str(value).split()), quote=True)


def format_passages(passages: Sequence[Passage]) -> str:
    """Fence each passage as data, numbered by its 1-based position in `passages`."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        attrs = {"id": str(number), "source": passage.source, "kind": passage.kind}
        if passage.scenario is not None:
            attrs["scenario"] = f"{passage.scenario.number} {passage.scenario.title}"
        attrs["section"] = passage.section
        if passage.page is not None:
            attrs["page"] = str(passage.page)
        head = " ".join(f'{key}="{_attr(value)}"' for key, value in attrs.items())
        blocks.append(f"<passage {head}>\n{neutralise(passage.text.strip())}\n</passage>")
    return "\n\n".join(blocks)


def answer_messages(
    question: str,
    lang: str,
    passages: Sequence[Passage],
    history: Sequence[tuple[str, str]] = (),
    *,
    directory: Path | None = None,
) -> list[dict[str, str]]:
    """[system, earlier (user, assistant) pairs..., user] asking `question` about `passages`."""
    system = load_prompt("answer-system", lang, required=(), directory=directory)
    user = load_prompt("answer-user", lang, required=("passages", "question"), directory=directory)
    messages = [{"role": "system", "content": system.render().strip()}]
    for asked, answered in history:
        messages.append({"role": "user", "content": asked})
        messages.append({"role": "assistant", "content": answered})
    content = user.render(passages=format_passages(passages), question=neutralise(question.strip()))
    messages.append({"role": "user", "content": content.strip()})
    return messages


def draft_messages(
    section: str, lang: str, passages: Sequence[Passage], *, directory: Path | None = None
) -> list[dict[str, str]]:
    """[system, user] asking for one section of the normative draft from `passages`."""
    system = load_prompt("draft-system", lang, required=(), directory=directory)
    user = load_prompt("draft-user", lang, required=("passages", "section"), directory=directory)
    content = user.render(passages=format_passages(passages), section=neutralise(section.strip()))
    return [
        {"role": "system", "content": system.render().strip()},
        {"role": "user", "content": content.strip()},
    ]
