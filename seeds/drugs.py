"""Drug names as clinicians write them, turned into the generic drugs they mean (seeds/drugs.toml).

"MTX 15 mg weekly", "Methotrexate" and "methotrexate " are one drug; "cyclizine" is not "CYC". A name
matches only as whole words: the text and every listed name are split into words (letters and
digits), and a name matches where its words appear in a row. Case, punctuation and doses do not
matter. A text that names no listed drug keeps its own folded words as its key, so two spellings of
an unlisted drug still pair when written the same way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from seeds.vocabulary import DRUG_ROLES

DRUGS_FILE = Path(__file__).resolve().parent / "drugs.toml"
_WORD = re.compile(r"[^\W_]+")


class DrugFileError(ValueError):
    """drugs.toml is malformed; the message names the entry and the field."""


def words(text: str | None) -> tuple[str, ...]:
    """The words of a text, case-folded: `"HCQ-200 mg"` -> `("hcq", "200", "mg")`."""
    return tuple(_WORD.findall((text or "").casefold()))


@dataclass(slots=True, frozen=True)
class Drug:
    generic: str
    names: tuple[str, ...]  # the generic name first, then the other accepted names
    role: str


@dataclass(slots=True, frozen=True)
class DrugTable:
    drugs: tuple[Drug, ...]

    @property
    def _phrases(self) -> dict[tuple[str, ...], str]:
        return _phrase_index(self)

    def find(self, text: str | None) -> tuple[str, ...]:
        """The generic drugs `text` names, in the order written, each once."""
        tokens = words(text)
        phrases = self._phrases
        longest = max((len(p) for p in phrases), default=0)
        found: list[str] = []
        position = 0
        while position < len(tokens):
            for size in range(min(longest, len(tokens) - position), 0, -1):
                generic = phrases.get(tokens[position:position + size])
                if generic is not None:
                    if generic not in found:
                        found.append(generic)
                    position += size
                    break
            else:
                position += 1
        return tuple(found)

    def keys(self, text: str | None) -> tuple[str, ...]:
        """What to compare drugs by: the generic names found, else the text's own folded words."""
        found = self.find(text)
        if found:
            return found
        folded = " ".join(words(text))
        return (folded,) if folded else ()

    def exact(self, text: str | None) -> str | None:
        """The generic drug when the whole of `text` is one listed name ("MTX"), else None."""
        return self._phrases.get(words(text))

    def names(self, text: str | None, generic: str) -> bool:
        """Whether `text` names the drug `generic` (as a whole word or listed name)."""
        return generic in self.find(text)

    def role(self, generic: str) -> str | None:
        drug = self.drug(generic)
        return drug.role if drug else None

    def drug(self, generic: str) -> Drug | None:
        return next((d for d in self.drugs if d.generic == generic), None)

    def is_glucocorticoid(self, text: str | None) -> bool:
        """True when every drug the text names is a glucocorticoid (a flare course, not maintenance)."""
        found = self.find(text)
        return bool(found) and all(self.role(g) == "glucocorticoid" for g in found)

    @property
    def generics(self) -> tuple[str, ...]:
        return tuple(d.generic for d in self.drugs)


@lru_cache(maxsize=8)
def _phrase_index(table: DrugTable) -> dict[tuple[str, ...], str]:
    return {words(name): drug.generic for drug in table.drugs for name in drug.names}


def load_drugs(path: Path = DRUGS_FILE) -> DrugTable:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DrugFileError(f"{path.name}: cannot be read as TOML: {exc}") from None
    rows = data.get("drug")
    if not isinstance(rows, list) or not rows:
        raise DrugFileError(f"{path.name}: field 'drug': needs at least one [[drug]] entry")
    drugs: list[Drug] = []
    owner: dict[tuple[str, ...], str] = {}
    for n, row in enumerate(rows):
        where = f"{path.name}: field 'drug[{n}]"
        if not isinstance(row, dict) or set(row) - {"generic", "names", "role"}:
            raise DrugFileError(f"{where}': only generic, names and role are known")
        generic, names, role = row.get("generic"), row.get("names", []), row.get("role")
        if not isinstance(generic, str) or not words(generic) or generic != generic.strip().lower():
            raise DrugFileError(f"{where}.generic': must be a lower-case generic name")
        if not isinstance(names, list) or not all(isinstance(x, str) and words(x) for x in names):
            raise DrugFileError(f"{where}.names': must be a list of names")
        if role not in DRUG_ROLES:
            raise DrugFileError(f"{where}.role': must be one of {', '.join(DRUG_ROLES)}")
        for name in [generic, *names]:
            key = words(name)
            if key in owner and owner[key] != generic:
                # One name, two drugs: exactly the ambiguity the list is there to prevent.
                raise DrugFileError(f"{where}.names': '{name}' already names {owner[key]}")
            owner[key] = generic
        drugs.append(Drug(generic=generic, names=(generic, *names), role=role))
    return DrugTable(tuple(drugs))


@lru_cache(maxsize=1)
def default_drugs() -> DrugTable:
    """The shipped drug list, loaded once per process."""
    return load_drugs()
